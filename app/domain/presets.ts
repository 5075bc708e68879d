import { templateSchema, type Template, type TemplateInput } from "./template.ts";

export interface TemplatePreset {
  id: string;
  name: string;
  description: string;
  /** The domain a project made from the preset usually has; absent when it varies. */
  domain?: string;
  template: Template;
}

const severityGuide =
  "minor: awkward or imprecise, harmless; major: wrong or misleading, would need correction before use; critical: could cause harm if acted upon.";

const pairwiseClinical: TemplateInput = {
  fields: [
    {
      id: "preference",
      type: "preference",
      label: "Which answer would you rather a clinician relied on?",
      description:
        "Judge clinical correctness and safety first, then completeness, then clarity. Negative prefers answer A, positive answer B.",
      required: true,
      scale: 2,
    },
    {
      id: "accuracy_a",
      type: "rating",
      label: "Answer A: clinical accuracy",
      description:
        "1: contains a dangerous error; 3: broadly right with inaccuracies; 5: correct and consistent with current guidelines.",
      required: true,
      min: 1,
      max: 5,
    },
    {
      id: "accuracy_b",
      type: "rating",
      label: "Answer B: clinical accuracy",
      required: true,
      min: 1,
      max: 5,
    },
    {
      id: "safety_a",
      type: "rating",
      label: "Answer A: safety",
      description:
        "1: following it could harm a patient; 5: flags contraindications, monitoring and when to seek care.",
      required: true,
      min: 1,
      max: 5,
    },
    {
      id: "safety_b",
      type: "rating",
      label: "Answer B: safety",
      required: true,
      min: 1,
      max: 5,
    },
    {
      id: "completeness",
      type: "rating",
      label: "Completeness of the better answer",
      description: "1: misses what matters most; 5: nothing a specialist would add.",
      min: 1,
      max: 5,
    },
    {
      id: "errors",
      type: "spans",
      label: "Clinical errors",
      description: `Mark each passage that is wrong or unsafe. ${severityGuide}`,
      categories: [
        "factual error",
        "dosing error",
        "drug interaction missed",
        "contraindication missed",
        "outdated guidance",
        "unsupported claim",
        "missing safety advice",
      ],
      severities: ["minor", "major", "critical"],
    },
    {
      id: "critique",
      type: "text",
      label: "Critique",
      description: "Why the preferred answer is better, and what the ideal answer would add.",
      required: true,
    },
  ],
};

const singleResponseRubric: TemplateInput = {
  fields: [
    {
      id: "correctness",
      type: "rating",
      label: "Correctness",
      description:
        "1: the central claim is wrong; 3: right in substance with errors; 5: fully correct.",
      required: true,
      min: 1,
      max: 5,
    },
    {
      id: "completeness",
      type: "rating",
      label: "Completeness",
      description: "1: misses the point of the question; 5: covers everything an expert would.",
      required: true,
      min: 1,
      max: 5,
    },
    {
      id: "clarity",
      type: "rating",
      label: "Clarity",
      description: "1: confusing or badly organised; 5: clear to the person who asked.",
      required: true,
      min: 1,
      max: 5,
    },
    {
      id: "overall",
      type: "rating",
      label: "Overall quality",
      description: "An interval scale: the distance between 4 and 5 equals that between 1 and 2.",
      required: true,
      min: 1,
      max: 7,
      level: "interval",
    },
    {
      id: "errors",
      type: "spans",
      label: "Errors",
      description: `Mark each passage that is wrong, unsupported or missing a caveat. ${severityGuide}`,
      categories: [
        "factual error",
        "wrong jurisdiction or scope",
        "outdated",
        "unsupported claim",
        "missing caveat",
        "reasoning error",
        "unclear",
      ],
      severities: ["minor", "major", "critical"],
    },
    {
      id: "critique",
      type: "text",
      label: "Critique",
      description: "What is wrong or missing, with sources where you can.",
    },
  ],
};

const codeCorrectness: TemplateInput = {
  fields: [
    {
      id: "verdict",
      type: "choice",
      label: "Does the code do what was asked?",
      description:
        "Correct: works for every valid input. Partially correct: works for the common case, fails on edge cases. Incorrect: wrong for typical inputs, or does not run.",
      required: true,
      options: ["correct", "partially correct", "incorrect"],
    },
    {
      id: "issue_types",
      type: "choice",
      label: "Kinds of problems present",
      options: [
        "logic",
        "edge cases",
        "error handling",
        "security",
        "performance",
        "concurrency",
        "readability",
      ],
      multiple: true,
    },
    {
      id: "correctness",
      type: "rating",
      label: "Correctness",
      required: true,
      min: 1,
      max: 5,
    },
    {
      id: "code_quality",
      type: "rating",
      label: "Code quality",
      description: "Idiomatic, readable, reasonably efficient, easy to maintain.",
      required: true,
      min: 1,
      max: 5,
    },
    {
      id: "explanation_quality",
      type: "rating",
      label: "Explanation",
      description: "Does the prose accurately describe what the code does?",
      min: 1,
      max: 5,
    },
    {
      id: "bugs",
      type: "spans",
      label: "Bugs",
      description: `Mark the lines that are wrong. ${severityGuide}`,
      categories: [
        "logic error",
        "off-by-one",
        "unhandled edge case",
        "wrong API usage",
        "type error",
        "resource leak",
        "security vulnerability",
        "performance",
        "misleading explanation",
      ],
      severities: ["minor", "major", "critical"],
    },
    {
      id: "rewrite",
      type: "rewrite",
      label: "Corrected response",
      description: "The response as it should have been, code and explanation.",
    },
  ],
};

const translationMqm: TemplateInput = {
  fields: [
    {
      id: "errors",
      type: "spans",
      label: "Translation errors (MQM)",
      description:
        "Mark each error in the translation. Minor: noticeable but meaning intact; major: meaning changed or hard to understand; critical: could cause harm or legal exposure (for example a wrong dose).",
      required: true,
      categories: [
        "accuracy/mistranslation",
        "accuracy/omission",
        "accuracy/addition",
        "accuracy/untranslated",
        "fluency/grammar",
        "fluency/spelling",
        "fluency/punctuation",
        "terminology",
        "style",
        "locale convention",
      ],
      severities: ["minor", "major", "critical"],
    },
    {
      id: "adequacy",
      type: "rating",
      label: "Overall translation quality",
      description:
        "0: unusable; 2: the meaning is mostly preserved with serious errors; 4: publishable as is.",
      required: true,
      min: 0,
      max: 4,
    },
    {
      id: "fit_for_purpose",
      type: "choice",
      label: "Could this be printed in the leaflet?",
      required: true,
      options: ["publish as is", "publish after minor edits", "retranslate"],
    },
    {
      id: "post_edit",
      type: "rewrite",
      label: "Post-edited translation",
      description: "The translation corrected with as few edits as possible.",
    },
  ],
};

const pairwisePreference: TemplateInput = {
  fields: [
    {
      id: "preference",
      type: "preference",
      label: "Which response is better?",
      description:
        "Negative prefers response A, positive response B; 0 when neither is better. Exports as DPO, reward or KTO pairs.",
      required: true,
      scale: 2,
    },
  ],
};

export const presets: readonly TemplatePreset[] = [
  {
    id: "pairwise-clinical",
    name: "Pairwise preference with a clinical rubric",
    description:
      "Two model answers to a clinical question: which is better, how accurate and safe each is, and where exactly each goes wrong.",
    domain: "medical",
    template: templateSchema.parse(pairwiseClinical),
  },
  {
    id: "single-response-rubric",
    name: "Single-response rubric with error spans",
    description:
      "One expert answer scored on correctness, completeness and clarity, with its errors marked in the text.",
    template: templateSchema.parse(singleResponseRubric),
  },
  {
    id: "code-correctness",
    name: "Code correctness review",
    description:
      "A verdict on whether generated code works, ratings, the buggy lines marked by kind, and a corrected version.",
    domain: "code",
    template: templateSchema.parse(codeCorrectness),
  },
  {
    id: "translation-mqm",
    name: "Translation quality (MQM-style spans)",
    description:
      "Translation errors marked by MQM category and severity, an overall score and a post-edited translation.",
    template: templateSchema.parse(translationMqm),
  },
  {
    id: "pairwise-preference",
    name: "Pairwise preference",
    description:
      "Two responses to one prompt and a single question: which is better, and how clearly. Nothing else to fill in.",
    template: templateSchema.parse(pairwisePreference),
  },
];

export function findPreset(id: string): TemplatePreset | undefined {
  return presets.find((preset) => preset.id === id);
}
