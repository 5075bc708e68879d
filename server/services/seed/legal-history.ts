import type { Label } from "../../../app/domain/template.ts";
import { mark, type DemoResponse } from "./demo-content.ts";
import type { DemoHistory, HistoryCase } from "./history.ts";

function answer(
  externalId: string,
  jurisdiction: string,
  prompt: string,
  text: string,
  truth: (response: DemoResponse) => Label,
): HistoryCase {
  const response: DemoResponse = { id: "r1", model: "assistant-v8-rc2", text };
  return {
    externalId,
    prompt,
    responses: [response],
    domain: "legal",
    metadata: { jurisdiction, source: "paralegal questions" },
    truth: truth(response),
  };
}

export const legalHistory: DemoHistory = {
  annotators: ["expert2", "junior1", "junior2"],
  cases: [
    answer(
      "legal-h01",
      "England and Wales",
      "In England and Wales, how long does a claimant have to sue for breach of a simple contract?",
      "Six years from the date of the breach, under section 5 of the Limitation Act 1980. A contract made by deed has twelve years.",
      () => ({ correctness: 5, completeness: 5, clarity: 5, overall: 7, errors: [] }),
    ),
    answer(
      "legal-h02",
      "EU",
      "Under the GDPR, how quickly must a controller notify the supervisory authority of a personal data breach?",
      "Within 72 hours of becoming aware of it, unless the breach is unlikely to result in a risk to people's rights; a later notification must give the reasons for the delay. Affected individuals must always be told within 72 hours too.",
      (response) => ({
        correctness: 3,
        completeness: 4,
        clarity: 4,
        overall: 4,
        errors: [
          mark(
            response,
            "Affected individuals must always be told within 72 hours too.",
            "factual error",
            "major",
            "Article 34: individuals are told without undue delay, and only when the risk to them is high.",
          ),
        ],
        critique: "The first sentence is right; the duty to individuals is misstated.",
      }),
    ),
    answer(
      "legal-h03",
      "England and Wales",
      "What is the limitation period for a personal injury claim in England and Wales?",
      "Six years from the date of the injury.",
      (response) => ({
        correctness: 1,
        completeness: 2,
        clarity: 4,
        overall: 2,
        errors: [
          mark(
            response,
            "Six years",
            "factual error",
            "critical",
            "Three years from the injury or from the date of knowledge (Limitation Act 1980, s 11).",
          ),
        ],
        critique:
          "Wrong period, and no mention of the date of knowledge or the court's discretion under s 33.",
      }),
    ),
    answer(
      "legal-h04",
      "Germany",
      "Can an employer in Germany dismiss an employee by email?",
      "No. Under § 623 BGB a dismissal must be in writing with a handwritten signature. An email or text message does not meet that form, and a dismissal sent that way is void.",
      () => ({ correctness: 5, completeness: 4, clarity: 5, overall: 6, errors: [] }),
    ),
    answer(
      "legal-h05",
      "England and Wales",
      "Is a spoken agreement to sell a house in England binding?",
      "Yes, spoken contracts are binding in English law, so the seller must go through with the sale.",
      (response) => ({
        correctness: 1,
        completeness: 2,
        clarity: 4,
        overall: 1,
        errors: [
          mark(
            response,
            "Yes, spoken contracts are binding in English law",
            "wrong jurisdiction or scope",
            "critical",
            "A contract for the sale of land must be in writing signed by both parties (Law of Property (Miscellaneous Provisions) Act 1989, s 2).",
          ),
        ],
        critique: "True of most contracts, but not of contracts for the sale of land.",
      }),
    ),
    answer(
      "legal-h06",
      "United States",
      "How long does US copyright last in a work an individual author creates today?",
      "For the author's life plus 70 years.",
      (response) => ({
        correctness: 5,
        completeness: 3,
        clarity: 5,
        overall: 5,
        errors: [
          mark(
            response,
            "For the author's life plus 70 years.",
            "missing caveat",
            "minor",
            "Works made for hire and anonymous works last 95 years from publication or 120 from creation.",
          ),
        ],
      }),
    ),
    answer(
      "legal-h07",
      "EU",
      "Under the GDPR, can a person have their personal data deleted?",
      "Yes. The right to erasure in Article 17 applies in every case once the person asks.",
      (response) => ({
        correctness: 2,
        completeness: 3,
        clarity: 5,
        overall: 3,
        errors: [
          mark(
            response,
            "applies in every case once the person asks",
            "missing caveat",
            "major",
            "It applies on the grounds in Article 17(1) and yields to the exceptions in 17(3), such as a legal obligation to keep the data.",
          ),
        ],
        critique: "The right exists, but it is conditional.",
      }),
    ),
    {
      ...answer(
        "legal-h08",
        "England and Wales",
        "What is the standard of proof in an English civil trial?",
        "The balance of probabilities: the court must find the claim more likely than not. The criminal standard, beyond reasonable doubt, does not apply.",
        () => ({ correctness: 5, completeness: 5, clarity: 5, overall: 7, errors: [] }),
      ),
      gold: true,
    },
  ],
};
