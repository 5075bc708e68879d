import { mark, type DemoProject, type DemoResponse } from "./demo-content.ts";
import { legalHistory } from "./legal-history.ts";

const MODEL = "assistant-v8-rc2";

const gdprAnswer: DemoResponse = {
  id: "r1",
  model: MODEL,
  text: `This is a **right of access request** under Article 15 GDPR.

**Deadline.** You have **30 days** from receipt to respond. If the request is complex you can extend this by **up to three months**, as long as you tell the person within the first 30 days.

**Fees.** You may charge a reasonable administrative fee of up to €10 to cover your costs.

**What to send.** A copy of the personal data you hold, plus the purposes of processing, the recipients, the retention period, the source of the data and the person's rights (rectification, erasure, complaint to the supervisory authority).

If you have doubts about the requester's identity you may ask for information to confirm it.`,
};

const limitationAnswer: DemoResponse = {
  id: "r1",
  model: MODEL,
  text: `In California the limitation period for breach of a **written** contract is **four years** (Code of Civil Procedure § 337); for an oral contract it is two years (§ 339).

The period runs from the **breach**, not from signing. If the contractor's breach occurred in June 2021, the deadline to file is **June 2025**. If today is after that date the claim is very likely time-barred, unless something tolled the period (for example a written acknowledgment of the debt, or the contractor being absent from the state).

Because the exact breach date decides the outcome, talk to a California attorney now rather than later; some claims (such as those against the contractor's licence bond) have shorter periods.`,
};

const wageAnswer: DemoResponse = {
  id: "r1",
  model: MODEL,
  text: `Generally **no**. Texas is an at-will state, but Section 7 of the federal **National Labor Relations Act** protects most private-sector employees who discuss pay with coworkers ("concerted activity for mutual aid or protection"), whether or not there is a union. Firing someone for it is an unfair labour practice.

Exceptions: supervisors and managers, independent contractors, agricultural and domestic workers, and public-sector employees are not covered by the NLRA.

If this happened to you, you can file a charge with the **National Labor Relations Board** within **six months** of the firing. Filing is free and you do not need a lawyer.`,
};

const depositConversation = [
  {
    role: "user" as const,
    content: "I rent a flat in Munich. How large can my landlord's deposit (Kaution) be?",
  },
  {
    role: "assistant" as const,
    content:
      "Under § 551 BGB the deposit may be at most three months' rent excluding operating costs (Nettokaltmiete), and you may pay it in three monthly instalments.",
  },
  {
    role: "user" as const,
    content: "I moved out six weeks ago and still haven't got it back. How long can he keep it?",
  },
];

const depositAnswer: DemoResponse = {
  id: "r1",
  model: MODEL,
  text: `Under German law the landlord must return the deposit within **30 days** of the end of the tenancy. Since six weeks have passed, he is already in default and you can claim **interest at 5 percentage points above the base rate**.

Send him a written demand (*Mahnung*) with a short deadline, for example 14 days. If he does not pay, you can apply for a court payment order (*Mahnbescheid*) online.`,
};

const landAnswer: DemoResponse = {
  id: "r1",
  model: MODEL,
  text: `No. In England and Wales a contract for the sale of land must be **made in writing**, incorporate all the agreed terms and be **signed by or on behalf of both parties** (Law of Property (Miscellaneous Provisions) Act 1989, s. 2). An oral agreement to sell a house is therefore not a binding contract, however clearly it was agreed.

In exceptional cases a court may still give effect to the arrangement through **proprietary estoppel** or a **constructive trust**, for example where the buyer relied on a promise to their detriment. These claims are difficult and fact-specific.`,
};

export const legalProject: DemoProject = {
  presetId: "single-response-rubric",
  name: "Legal answers: rubric review",
  description:
    "Answers to legal questions from consumers and small businesses, scored by qualified lawyers for correctness, completeness and clarity, with every error marked.",
  domain: "legal",
  items: [
    {
      externalId: "legal-0001",
      prompt:
        'We run a small online shop in Germany. A former customer emailed asking for "all the data you hold about me". How long do we have to respond, and can we charge a fee?',
      responses: [gdprAnswer],
      domain: "legal",
      metadata: { jurisdiction: "EU/DE", topic: "data protection" },
      status: "disputed",
      annotations: [
        {
          annotator: "expert2",
          hoursAgo: 28,
          durationMs: 365_000,
          label: {
            correctness: 2,
            completeness: 4,
            clarity: 5,
            overall: 2,
            errors: [
              mark(
                gdprAnswer,
                "**30 days**",
                "factual error",
                "minor",
                "Art. 12(3): one month, not 30 days.",
              ),
              mark(
                gdprAnswer,
                "**up to three months**",
                "factual error",
                "major",
                "The extension is by two further months.",
              ),
              mark(
                gdprAnswer,
                "You may charge a reasonable administrative fee of up to €10 to cover your costs.",
                "wrong jurisdiction or scope",
                "critical",
                "The €10 / £10 fee is pre-GDPR UK law. The first copy is free (Art. 15(3)); fees only for further copies or manifestly unfounded or excessive requests (Art. 12(5)).",
              ),
            ],
            critique:
              "Well organised, but a shop following it would charge an unlawful fee and might miss the deadline.",
          },
        },
        {
          annotator: "junior1",
          hoursAgo: 22,
          durationMs: 160_000,
          label: {
            correctness: 4,
            completeness: 4,
            clarity: 5,
            overall: 5,
            errors: [mark(gdprAnswer, "**30 days**", "factual error", "minor")],
            critique: "Clear and practical. The deadline is stated slightly loosely.",
          },
        },
        {
          annotator: "junior2",
          hoursAgo: 19,
          durationMs: 210_000,
          label: {
            correctness: 3,
            completeness: 3,
            clarity: 4,
            overall: 4,
            errors: [
              mark(
                gdprAnswer,
                "You may charge a reasonable administrative fee of up to €10 to cover your costs.",
                "outdated",
                "major",
              ),
            ],
            critique: "I believe the fee rule is out of date; the rest looks right.",
          },
        },
      ],
    },
    {
      externalId: "legal-0002",
      prompt:
        "A contractor in California stopped work on our kitchen remodel in June 2021, halfway through. We had a written contract signed in March 2021. Is it too late to sue him?",
      responses: [limitationAnswer],
      domain: "legal",
      metadata: { jurisdiction: "US-CA", topic: "contracts" },
      status: "consensus",
      annotations: [
        {
          annotator: "expert2",
          hoursAgo: 70,
          durationMs: 300_000,
          label: {
            correctness: 5,
            completeness: 4,
            clarity: 5,
            overall: 6,
            errors: [],
            critique:
              "Correct statute, correct accrual rule, sensible caveats. Could mention delayed discovery for latent defects.",
          },
        },
        {
          annotator: "junior1",
          hoursAgo: 66,
          durationMs: 190_000,
          label: { correctness: 5, completeness: 4, clarity: 5, overall: 6, errors: [] },
        },
        {
          annotator: "junior2",
          hoursAgo: 60,
          durationMs: 230_000,
          label: {
            correctness: 5,
            completeness: 5,
            clarity: 4,
            overall: 6,
            errors: [],
            critique: "Accurate and cites the code sections.",
          },
        },
      ],
    },
    {
      externalId: "legal-0003",
      prompt:
        "Can my employer in Texas fire me for telling a coworker how much I earn? There's no union where I work.",
      responses: [wageAnswer],
      domain: "legal",
      metadata: { jurisdiction: "US-TX", topic: "employment" },
      status: "annotating",
      reservedBy: ["junior2"],
      annotations: [
        {
          annotator: "expert2",
          hoursAgo: 5,
          durationMs: 250_000,
          label: {
            correctness: 5,
            completeness: 5,
            clarity: 5,
            overall: 7,
            errors: [],
            critique: "Accurate, covers the exclusions and the six-month limit under § 10(b).",
          },
        },
      ],
    },
    {
      externalId: "legal-0004",
      prompt: depositConversation,
      responses: [depositAnswer],
      domain: "legal",
      metadata: { jurisdiction: "DE", topic: "tenancy" },
      status: "queued",
      annotations: [],
    },
    {
      externalId: "legal-0005",
      prompt:
        "I agreed over the phone to sell my house in Leeds to a friend for £240,000 and we shook hands on it. Now I've had a better offer. Am I legally bound to sell to my friend?",
      responses: [landAnswer],
      domain: "legal",
      metadata: { jurisdiction: "UK-EW", topic: "property" },
      status: "queued",
      annotations: [],
    },
  ],
  history: legalHistory,
};
