import type { Label } from "../../../app/domain/template.ts";
import { mark, type DemoResponse } from "./demo-content.ts";
import type { DemoHistory, HistoryCase } from "./history.ts";

function pair(
  externalId: string,
  specialty: string,
  prompt: string,
  texts: { a: string; b: string },
  truth: (a: DemoResponse, b: DemoResponse) => Label,
): HistoryCase {
  const a: DemoResponse = { id: "a", model: "assistant-v7", text: texts.a };
  const b: DemoResponse = { id: "b", model: "assistant-v8-rc2", text: texts.b };
  return {
    externalId,
    prompt,
    responses: [a, b],
    domain: "medical",
    metadata: { specialty, source: "clinician questions, batch 2" },
    truth: truth(a, b),
  };
}

export const clinicalHistory: DemoHistory = {
  annotators: ["expert1", "expert3", "junior1"],
  cases: [
    pair(
      "clin-h01",
      "cardiology",
      "A man who uses a glyceryl trinitrate spray for angina asks whether he can take sildenafil for erectile dysfunction.",
      {
        a: "No. Sildenafil with any nitrate, including glyceryl trinitrate used as needed, can cause a severe fall in blood pressure: the combination is contraindicated. Review his angina and discuss alternatives.",
        b: "Yes, as long as he leaves 4 hours between the spray and the sildenafil dose.",
      },
      (_a, b) => ({
        preference: -2,
        accuracy_a: 5,
        accuracy_b: 1,
        safety_a: 5,
        safety_b: 1,
        completeness: 4,
        errors: [
          mark(
            b,
            "as long as he leaves 4 hours between the spray and the sildenafil dose",
            "contraindication missed",
            "critical",
          ),
        ],
        critique:
          "A states the contraindication; B's interval is invented and the combination can cause life-threatening hypotension.",
      }),
    ),
    pair(
      "clin-h02",
      "rheumatology",
      "How often is oral methotrexate taken for rheumatoid arthritis?",
      {
        a: "Once a day, usually starting at 7.5 mg, with folic acid on the other days.",
        b: "Once a week, on the same day each week, usually starting at 7.5–15 mg, with folic acid on a different day. Taking it daily by mistake has caused fatal toxicity.",
      },
      (a) => ({
        preference: 2,
        accuracy_a: 1,
        accuracy_b: 5,
        safety_a: 1,
        safety_b: 5,
        completeness: 4,
        errors: [mark(a, "Once a day", "dosing error", "critical")],
        critique: "B is right and warns about the classic daily-dosing error; A makes that error.",
      }),
    ),
    pair(
      "clin-h03",
      "psychiatry",
      "A patient who takes lithium asks for something for back pain. Can she take ibuprofen?",
      {
        a: "Ibuprofen is fine for a short course; anti-inflammatories do not affect lithium.",
        b: "Prefer paracetamol. Anti-inflammatories such as ibuprofen reduce lithium excretion and can raise its level into the toxic range; if one is unavoidable, check the lithium level within a week.",
      },
      (a) => ({
        preference: 2,
        accuracy_a: 1,
        accuracy_b: 5,
        safety_a: 1,
        safety_b: 5,
        completeness: 5,
        errors: [
          mark(
            a,
            "anti-inflammatories do not affect lithium",
            "drug interaction missed",
            "critical",
          ),
        ],
        critique: "B names the interaction and what to monitor; A denies a well-known interaction.",
      }),
    ),
    pair(
      "clin-h04",
      "obstetrics",
      "A woman taking ramipril for hypertension has just found out she is six weeks pregnant. What should happen?",
      {
        a: "Stop the ramipril and switch promptly to an antihypertensive suitable in pregnancy, such as labetalol or nifedipine. ACE inhibitors can harm the fetus, above all after the first trimester.",
        b: "Continue the ramipril until the end of the first trimester, then switch to labetalol.",
      },
      (_a, b) => ({
        preference: -2,
        accuracy_a: 5,
        accuracy_b: 2,
        safety_a: 5,
        safety_b: 2,
        completeness: 4,
        errors: [
          mark(
            b,
            "Continue the ramipril until the end of the first trimester",
            "contraindication missed",
            "major",
          ),
        ],
        critique:
          "Both switch to labetalol in the end, but the switch should happen as soon as the pregnancy is known.",
      }),
    ),
    {
      ...pair(
        "clin-h05",
        "general practice",
        "What is the most paracetamol a healthy adult weighing 70 kg may take in a day?",
        {
          a: "4 g in 24 hours, as 500 mg to 1 g every 4 to 6 hours, with no more than four doses a day.",
          b: "Up to 6 g a day is safe for a few days if it is taken with food.",
        },
        (_a, b) => ({
          preference: -2,
          accuracy_a: 5,
          accuracy_b: 1,
          safety_a: 4,
          safety_b: 1,
          completeness: 3,
          errors: [mark(b, "Up to 6 g a day is safe", "dosing error", "critical")],
          critique:
            "A gives the right ceiling; it could add that people who drink heavily or weigh under 50 kg need less. B's dose risks liver failure.",
        }),
      ),
      gold: true,
    },
    pair(
      "clin-h06",
      "infectious disease",
      "A patient on simvastatin 40 mg needs clarithromycin for pneumonia. Any concerns?",
      {
        a: "Yes. Clarithromycin strongly inhibits CYP3A4 and raises simvastatin levels, with a risk of myopathy and rhabdomyolysis. Pause the simvastatin for the course of clarithromycin.",
        b: "No interaction of note; continue both and review in a week.",
      },
      (_a, b) => ({
        preference: -2,
        accuracy_a: 5,
        accuracy_b: 1,
        safety_a: 5,
        safety_b: 2,
        completeness: 5,
        errors: [mark(b, "No interaction of note", "drug interaction missed", "major")],
        critique: "A is correct and gives the standard management; B misses the interaction.",
      }),
    ),
    pair(
      "clin-h07",
      "dentistry",
      "A patient who had anaphylaxis after penicillin has a dental abscess. Can she have amoxicillin?",
      {
        a: "No: amoxicillin is a penicillin. Drain the abscess; if an antibiotic is needed, metronidazole is a common alternative.",
        b: "Amoxicillin is a different antibiotic from penicillin, so it can be used with caution.",
      },
      (_a, b) => ({
        preference: -2,
        accuracy_a: 5,
        accuracy_b: 1,
        safety_a: 5,
        safety_b: 1,
        completeness: 4,
        errors: [
          mark(
            b,
            "Amoxicillin is a different antibiotic from penicillin",
            "contraindication missed",
            "critical",
          ),
        ],
        critique: "B could cause anaphylaxis. A is right and puts drainage first.",
      }),
    ),
    pair(
      "clin-h08",
      "geriatrics",
      "What warning should go with a ciprofloxacin prescription for a 78-year-old who takes prednisolone?",
      {
        a: "Tendon damage: fluoroquinolones raise the risk of tendinitis and tendon rupture, more so over 60 and with corticosteroids. Stop at the first sign of tendon pain and seek advice.",
        b: "Take it with a glass of milk to reduce stomach upset.",
      },
      (_a, b) => ({
        preference: -2,
        accuracy_a: 5,
        accuracy_b: 2,
        safety_a: 5,
        safety_b: 1,
        completeness: 4,
        errors: [
          mark(b, "Take it with a glass of milk", "factual error", "major"),
          mark(
            b,
            "to reduce stomach upset",
            "missing safety advice",
            "major",
            "Says nothing about the tendon risk, the warning that matters here.",
          ),
        ],
        critique:
          "A gives the warning that matters. Milk reduces ciprofloxacin's absorption, and B omits the tendon risk.",
      }),
    ),
    pair(
      "clin-h09",
      "paediatrics",
      "Is doxycycline a reasonable first choice for a 5-year-old with community-acquired pneumonia?",
      {
        a: "No. Amoxicillin is first line in children. Tetracyclines are generally avoided in young children because they stain developing teeth, except for specific infections.",
        b: "Yes, doxycycline 100 mg daily is appropriate at any age.",
      },
      (_a, b) => ({
        preference: -2,
        accuracy_a: 5,
        accuracy_b: 1,
        safety_a: 5,
        safety_b: 2,
        completeness: 4,
        errors: [mark(b, "appropriate at any age", "contraindication missed", "major")],
        critique: "A is correct. B ignores the age restriction and gives an adult dose.",
      }),
    ),
    pair(
      "clin-h10",
      "endocrinology",
      "What is the usual first drug for type 2 diabetes in an adult without cardiovascular disease?",
      {
        a: "Metformin, started low and increased gradually to limit stomach upset, with advice on diet and exercise.",
        b: "Metformin, with lifestyle advice. Check kidney function first: reduce the dose when eGFR is below 45 and stop it below 30.",
      },
      () => ({
        preference: 1,
        accuracy_a: 5,
        accuracy_b: 5,
        safety_a: 4,
        safety_b: 5,
        completeness: 4,
        errors: [],
        critique: "Both are right; B adds the kidney checks a prescriber needs.",
      }),
    ),
  ],
};
