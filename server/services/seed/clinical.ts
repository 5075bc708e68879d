import { mark, type DemoProject, type DemoResponse } from "./demo-content.ts";
import { clinicalHistory } from "./clinical-history.ts";

const MODEL_A = "assistant-v7";
const MODEL_B = "assistant-v8-rc2";

const warfarinA: DemoResponse = {
  id: "a",
  model: MODEL_A,
  text: `**Avoid trimethoprim-sulfamethoxazole if you can.** Sulfamethoxazole inhibits CYP2C9, the enzyme that clears S-warfarin, and the combination can push the INR well above range within 3–5 days; it is one of the interactions most often behind warfarin-related bleeding admissions.

In a man, a lower urinary tract infection is treated for 7 days. Reasonable choices:

- **Nitrofurantoin** 100 mg modified-release twice daily for 7 days, if eGFR is at least 45 mL/min/1.73 m² (30–44 only when no alternative and short courses).
- **Pivmecillinam** 400 mg three times daily for 7 days.
- **Cefalexin** if the above are unsuitable.

Send a urine culture before starting, because the choice may need to change.

Whatever antibiotic he gets, infection itself and any change in diet can move the INR, so **check the INR 3–5 days after starting**. If TMP-SMX is truly the only option, many anticoagulation services reduce the warfarin dose by 10–20% empirically and check the INR within 3 days.`,
};

const warfarinB: DemoResponse = {
  id: "b",
  model: MODEL_B,
  text: `Trimethoprim-sulfamethoxazole does raise the INR, so it is best avoided here.

A simple alternative is **ciprofloxacin 500 mg twice daily for 3 days**, which does not interact with warfarin. Recheck the INR at his next routine appointment, or in two weeks if that is sooner.

Advise him to report any unusual bruising or bleeding.`,
};

const metforminA: DemoResponse = {
  id: "a",
  model: MODEL_A,
  text: `No. With an eGFR of 72 and no acute kidney injury, current guidance (ESUR 2018, ACR Manual on Contrast Media, RCR) is to **continue metformin** before and after intravenous iodinated contrast.

Withholding is only needed when:

1. eGFR is below 30 mL/min/1.73 m², or
2. the patient has acute kidney injury, or
3. contrast is given intra-arterially with first-pass renal exposure (and eGFR is reduced).

In those cases stop metformin at the time of the scan, recheck creatinine at 48 hours and restart if renal function is stable. The risk being avoided is metformin-associated lactic acidosis, which is very rare when renal function is normal.`,
};

const metforminB: DemoResponse = {
  id: "b",
  model: MODEL_B,
  text: `Yes. Metformin should be stopped 48 hours before any contrast study and restarted 48 hours afterwards, once you have confirmed that creatinine is unchanged. Iodinated contrast can cause contrast-induced nephropathy, and metformin accumulating in the kidneys can then cause lactic acidosis.

Ask the patient to monitor blood glucose closely while off metformin.`,
};

const amoxicillinA: DemoResponse = {
  id: "a",
  model: MODEL_A,
  text: `For acute otitis media in a child with no penicillin allergy and no amoxicillin in the past 30 days, the AAP recommends **high-dose amoxicillin, 80–90 mg/kg/day in two divided doses**.

At 16 kg:

$$16\\,\\text{kg} \\times 90\\,\\text{mg/kg/day} = 1440\\,\\text{mg/day} \\Rightarrow 720\\,\\text{mg twice daily}$$

With the 400 mg/5 mL suspension that is **9 mL twice daily**. For a 4-year-old with mild to moderate symptoms, treat for **7 days** (10 days under 2 years or for severe disease).

Re-assess if there is no improvement within 48–72 hours; amoxicillin-clavulanate is the usual next step.`,
};

const amoxicillinB: DemoResponse = {
  id: "b",
  model: MODEL_B,
  text: `The usual amoxicillin dose for children is 40 mg/kg/day divided into three doses.

For 16 kg that is 640 mg per day, i.e. **320 mg three times daily**, for 10 days. Give it with or without food. If the child is allergic to penicillin, azithromycin is the alternative.`,
};

const screeningConversation = [
  {
    role: "user" as const,
    content:
      "A screening test for a condition has 99% sensitivity and 95% specificity. About 1% of the people we screen have the condition.",
  },
  {
    role: "assistant" as const,
    content: "Understood. What would you like to know about the test?",
  },
  {
    role: "user" as const,
    content:
      "My patient just tested positive. How likely is it that she actually has the condition? Please show the calculation.",
  },
];

const screeningA: DemoResponse = {
  id: "a",
  model: MODEL_A,
  text: `About **1 in 6 (≈ 17%)**. This is the positive predictive value, from Bayes' theorem:

$$\\text{PPV} = \\frac{\\text{sens} \\cdot p}{\\text{sens} \\cdot p + (1 - \\text{spec})(1 - p)} = \\frac{0.99 \\times 0.01}{0.99 \\times 0.01 + 0.05 \\times 0.99} = \\frac{0.0099}{0.0594} \\approx 0.167$$

Per 10,000 people screened: 100 have the condition and 99 of them test positive; of the 9,900 without it, 495 also test positive. So 99 of 594 positives are true positives.

A confirmatory test with high specificity is the next step before any treatment decision.`,
};

const screeningB: DemoResponse = {
  id: "b",
  model: MODEL_B,
  text: `The test is 99% sensitive, so a positive result means there is a **99% chance** she has the condition. The 95% specificity means that 5% of positives are false, so the true figure is closer to **94%**.

$$P = 0.99 - 0.05 = 0.94$$

She should be referred for treatment.`,
};

const serotoninConversation = [
  {
    role: "user" as const,
    content:
      "I take sertraline 100 mg a day. My dentist gave me tramadol for a tooth extraction. Is that OK?",
  },
  {
    role: "assistant" as const,
    content:
      "It can be, but the combination needs care. Can you tell me how much tramadol you were prescribed and for how long?",
  },
  { role: "user" as const, content: "50 mg up to four times a day for five days." },
];

const statinA: DemoResponse = {
  id: "a",
  model: MODEL_A,
  text: `With **simvastatin**, yes: grapefruit inhibits intestinal CYP3A4 and can raise simvastatin levels several-fold, which increases the risk of myopathy and, rarely, rhabdomyolysis. The UK and US labels advise avoiding grapefruit juice with simvastatin.

If he wants to keep drinking it, switch to a statin that is not metabolised by CYP3A4: **rosuvastatin** or **pravastatin**. Atorvastatin is affected less than simvastatin, but large amounts (over about a litre a day) should still be avoided.`,
};

const statinB: DemoResponse = {
  id: "b",
  model: MODEL_B,
  text: `Grapefruit interacts with all statins to the same degree, so any statin carries the same risk. He should stop drinking grapefruit juice completely, or stop the statin.

Muscle pain, weakness or dark urine are warning signs that need urgent review.`,
};

const nsaidA: DemoResponse = {
  id: "a",
  model: MODEL_A,
  text: `Start with **topical NSAIDs** (e.g. diclofenac gel on the knee) and regular **paracetamol** up to 1 g four times daily (lower maximum if under 50 kg). Oral NSAIDs are best avoided in stage 3b CKD (eGFR 30–44): they reduce renal perfusion and can precipitate acute kidney injury, hyperkalaemia and fluid retention, especially with an ACE inhibitor or diuretic.

Non-drug measures help as much as any of these: exercise therapy, weight loss and a walking aid.`,
};

const nsaidB: DemoResponse = {
  id: "b",
  model: MODEL_B,
  text: `Ibuprofen 400 mg three times daily is the most effective option for osteoarthritis. Kidney function is only a concern when eGFR is below 15, so it is safe at stage 3b. Take it with food to protect the stomach.`,
};

export const clinicalProject: DemoProject = {
  presetId: "pairwise-clinical",
  name: "Clinical Q&A: pairwise preference",
  description:
    "Two candidate models answer questions that clinicians asked. Pharmacists and physicians decide which answer is safer and more accurate, and mark every clinical error.",
  domain: "medical",
  items: [
    {
      externalId: "clin-0001",
      prompt:
        "A 72-year-old man on warfarin for atrial fibrillation (INR stable at 2.5) has symptoms of a lower urinary tract infection. His GP wants to prescribe trimethoprim-sulfamethoxazole. Is that safe, and what should be done instead?",
      responses: [warfarinA, warfarinB],
      domain: "medical",
      metadata: { specialty: "pharmacology", source: "clinician questions, batch 3" },
      status: "disputed",
      annotations: [
        {
          annotator: "expert1",
          hoursAgo: 30,
          durationMs: 412_000,
          label: {
            preference: -2,
            accuracy_a: 5,
            accuracy_b: 2,
            safety_a: 5,
            safety_b: 1,
            completeness: 4,
            errors: [
              mark(
                warfarinB,
                "which does not interact with warfarin",
                "drug interaction missed",
                "critical",
                "Ciprofloxacin also raises the INR (CYP1A2 inhibition); bleeding events are well documented.",
              ),
              mark(warfarinB, "for 3 days", "outdated guidance", "major", "Men need 7 days."),
              mark(
                warfarinB,
                "or in two weeks if that is sooner",
                "missing safety advice",
                "major",
                "INR should be checked within 3–5 days of starting any antibiotic.",
              ),
            ],
            critique:
              "A is correct and actionable. B replaces one interacting antibiotic with another, gives a course that is too short for a man and delays the INR check: following B could cause a bleed.",
          },
        },
        {
          annotator: "junior1",
          hoursAgo: 26,
          durationMs: 188_000,
          label: {
            preference: 1,
            accuracy_a: 4,
            accuracy_b: 4,
            safety_a: 4,
            safety_b: 4,
            completeness: 3,
            errors: [
              mark(
                warfarinA,
                "if eGFR is at least 45 mL/min/1.73 m²",
                "unsupported claim",
                "minor",
              ),
            ],
            critique:
              "Both identify the interaction. B is shorter and easier to act on in a busy practice; A is thorough but long.",
          },
        },
        {
          annotator: "expert3",
          hoursAgo: 20,
          durationMs: 295_000,
          label: {
            preference: -1,
            accuracy_a: 5,
            accuracy_b: 3,
            safety_a: 4,
            safety_b: 2,
            errors: [
              mark(
                warfarinB,
                "which does not interact with warfarin",
                "drug interaction missed",
                "major",
              ),
            ],
            critique:
              "A is better. B's claim about ciprofloxacin is wrong, though the INR check would catch most problems.",
          },
        },
      ],
    },
    {
      externalId: "clin-0002",
      prompt:
        "My patient takes metformin 1 g twice daily and has a contrast-enhanced CT of the abdomen tomorrow. Her eGFR is 72. Do I need to stop the metformin?",
      responses: [metforminA, metforminB],
      domain: "medical",
      metadata: { specialty: "radiology", source: "clinician questions, batch 3" },
      // The annotators agree on every rated field and on the outdated guidance, but the preset's
      // critique is required free text, which only a panel can settle: the item was disputed,
      // its panel wrote the critique, and the lead published it.
      status: "published",
      publication: {
        label: {
          critique:
            "A reflects current guidance (ESUR 2018, ACR, RCR): with an eGFR of 30 or more and no acute kidney injury, metformin continues through intravenous contrast, and A says when withholding is still needed. B applies the pre-2018 rule of stopping for 48 hours before every contrast study, which interrupts diabetes treatment for no benefit.",
        },
        rationale:
          "The three independent labels agreed on every rating and on B's outdated guidance; the panel merged their critiques into one.",
        hoursAgo: 40,
      },
      annotations: [
        {
          annotator: "expert1",
          hoursAgo: 52,
          durationMs: 240_000,
          label: {
            preference: -2,
            accuracy_a: 5,
            accuracy_b: 2,
            safety_a: 5,
            safety_b: 3,
            completeness: 5,
            errors: [
              mark(
                metforminB,
                "Metformin should be stopped 48 hours before any contrast study",
                "outdated guidance",
                "major",
                "Superseded since ESUR 2018 for eGFR ≥ 30.",
              ),
              mark(metforminB, "metformin accumulating in the kidneys", "factual error", "minor"),
            ],
            critique:
              "A reflects current guidance. B applies the pre-2018 rule, which needlessly interrupts diabetes treatment.",
          },
        },
        {
          annotator: "junior1",
          hoursAgo: 49,
          durationMs: 205_000,
          label: {
            preference: -2,
            accuracy_a: 5,
            accuracy_b: 2,
            safety_a: 5,
            safety_b: 3,
            completeness: 4,
            errors: [
              mark(
                metforminB,
                "Metformin should be stopped 48 hours before any contrast study",
                "outdated guidance",
                "major",
              ),
            ],
            critique:
              "A is up to date and explains when withholding is still needed; B is outdated.",
          },
        },
        {
          annotator: "expert3",
          hoursAgo: 45,
          durationMs: 260_000,
          label: {
            preference: -2,
            accuracy_a: 5,
            accuracy_b: 2,
            safety_a: 5,
            safety_b: 3,
            completeness: 5,
            errors: [
              mark(
                metforminB,
                "Metformin should be stopped 48 hours before any contrast study",
                "outdated guidance",
                "major",
              ),
            ],
            critique: "A is correct and cites the guideline bodies; B is out of date.",
          },
        },
      ],
    },
    {
      externalId: "clin-0003",
      prompt:
        "Amoxicillin dose for a 4-year-old girl, 16 kg, with acute otitis media? No allergies, no antibiotics in the last three months. We stock the 400 mg/5 mL suspension.",
      responses: [amoxicillinA, amoxicillinB],
      domain: "medical",
      metadata: { specialty: "paediatrics", source: "clinician questions, batch 4" },
      status: "annotating",
      reservedBy: ["junior1"],
      annotations: [
        {
          annotator: "expert1",
          hoursAgo: 6,
          durationMs: 330_000,
          label: {
            preference: -2,
            accuracy_a: 5,
            accuracy_b: 1,
            safety_a: 5,
            safety_b: 2,
            completeness: 5,
            errors: [
              mark(
                amoxicillinB,
                "40 mg/kg/day divided into three doses",
                "outdated guidance",
                "major",
                "High-dose 80–90 mg/kg/day is recommended for otitis media.",
              ),
              mark(
                amoxicillinB,
                "320 mg three times daily",
                "dosing error",
                "major",
                "640 mg/day in three doses is 213 mg, not 320 mg: the arithmetic is wrong as well.",
              ),
            ],
            critique:
              "A gives the guideline dose, converts it to millilitres and states the duration. B underdoses and miscalculates.",
          },
        },
        {
          annotator: "expert3",
          hoursAgo: 4,
          durationMs: 280_000,
          label: {
            preference: -2,
            accuracy_a: 5,
            accuracy_b: 1,
            safety_a: 5,
            safety_b: 2,
            completeness: 4,
            errors: [mark(amoxicillinB, "320 mg three times daily", "dosing error", "major")],
            critique: "B's division is wrong (640 / 3 ≈ 213). A is correct.",
          },
        },
      ],
    },
    {
      externalId: "clin-0004",
      prompt: screeningConversation,
      responses: [screeningA, screeningB],
      domain: "medical",
      metadata: { specialty: "epidemiology", source: "clinician questions, batch 4" },
      status: "annotating",
      annotations: [
        {
          annotator: "expert3",
          hoursAgo: 3,
          durationMs: 190_000,
          label: {
            preference: -2,
            accuracy_a: 5,
            accuracy_b: 1,
            safety_a: 5,
            safety_b: 1,
            completeness: 5,
            errors: [
              mark(screeningB, "99% chance", "factual error", "critical", "Base-rate fallacy."),
              mark(screeningB, "P = 0.99 - 0.05 = 0.94", "factual error", "critical"),
              mark(
                screeningB,
                "She should be referred for treatment.",
                "missing safety advice",
                "major",
                "A positive screen needs a confirmatory test, not treatment.",
              ),
            ],
            critique:
              "A computes the PPV correctly and explains it with natural frequencies. B confuses sensitivity with PPV.",
          },
        },
      ],
    },
    {
      externalId: "clin-0005",
      prompt: serotoninConversation,
      responses: [
        {
          id: "a",
          model: MODEL_A,
          text: `Tramadol and sertraline both increase serotonin, and together they can rarely cause **serotonin syndrome**; sertraline can also lower the seizure threshold together with tramadol. At 50 mg up to four times a day for a few days the risk is low, but:

- take the lowest dose that controls the pain, and try paracetamol and/or ibuprofen first if you can take them;
- stop tramadol and get urgent help if you develop agitation, shivering, sweating, muscle twitching, a fast heartbeat or a high temperature.

Please let your dentist know you take sertraline; they may prefer a different painkiller.`,
        },
        {
          id: "b",
          model: MODEL_B,
          text: `There is no interaction between sertraline and tramadol, so you can take them together as prescribed. Tramadol is a mild painkiller and five days is a short course.`,
        },
      ],
      domain: "medical",
      metadata: { specialty: "pharmacology", source: "patient questions, batch 1" },
      status: "queued",
      annotations: [],
    },
    {
      externalId: "clin-0006",
      prompt:
        "A 68-year-old man on simvastatin 40 mg drinks a large glass of grapefruit juice every morning. Is that a problem?",
      responses: [statinA, statinB],
      domain: "medical",
      metadata: { specialty: "cardiology", source: "clinician questions, batch 4" },
      status: "disputed",
      annotations: [
        {
          annotator: "expert1",
          hoursAgo: 15,
          durationMs: 220_000,
          label: {
            preference: -2,
            accuracy_a: 5,
            accuracy_b: 2,
            safety_a: 5,
            safety_b: 3,
            completeness: 4,
            errors: [
              mark(
                statinB,
                "Grapefruit interacts with all statins to the same degree",
                "factual error",
                "major",
                "Rosuvastatin and pravastatin are not CYP3A4 substrates.",
              ),
              mark(statinB, "or stop the statin", "missing safety advice", "major"),
            ],
            critique:
              "A names the safe alternatives. B is wrong about the class effect and suggests stopping secondary prevention.",
          },
        },
        {
          annotator: "junior1",
          hoursAgo: 12,
          durationMs: 140_000,
          label: {
            preference: 0,
            accuracy_a: 4,
            accuracy_b: 3,
            safety_a: 4,
            safety_b: 4,
            errors: [],
            critique:
              "Both tell him the grapefruit is a problem. B's warning signs are useful and missing from A.",
          },
        },
        {
          annotator: "expert3",
          hoursAgo: 9,
          durationMs: 175_000,
          label: {
            preference: -1,
            accuracy_a: 4,
            accuracy_b: 2,
            safety_a: 3,
            safety_b: 3,
            completeness: 3,
            errors: [
              mark(
                statinB,
                "Grapefruit interacts with all statins to the same degree",
                "factual error",
                "major",
              ),
              mark(
                statinA,
                "over about a litre a day",
                "unsupported claim",
                "minor",
                "The threshold varies between sources.",
              ),
            ],
            critique: "A is more accurate but omits the symptoms of myopathy that B lists.",
          },
        },
      ],
    },
    {
      externalId: "clin-0007",
      prompt:
        "What is the best painkiller for knee osteoarthritis in a 74-year-old woman with CKD stage 3b who takes ramipril and furosemide?",
      responses: [nsaidA, nsaidB],
      domain: "medical",
      metadata: { specialty: "nephrology", source: "clinician questions, batch 4" },
      status: "queued",
      annotations: [],
    },
  ],
  history: clinicalHistory,
};
