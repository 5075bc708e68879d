import { mark, type DemoProject, type DemoResponse } from "./demo-content.ts";
import { translationHistory } from "./translation-history.ts";

const MODEL = "translate-v2";

function translationPrompt(language: string, source: string): string {
  return `Translate this sentence from a patient information leaflet into ${language}. Keep the register of an official leaflet.\n\n> ${source}`;
}

const doseDe: DemoResponse = {
  id: "r1",
  model: MODEL,
  text: "Nehmen Sie zweimal täglich eine Tablette zu einer Mahlzeit ein. Nehmen Sie nicht mehr als die empfohlene Dosis ein.",
};

const otherMedicinesDe: DemoResponse = {
  id: "r1",
  model: MODEL,
  text: "Sagen Sie Ihrem Doktor oder Apotheker, wenn Sie andere Medikamente nehmen oder kürzlich genommen haben.",
};

const otherMedicinesPostEdit =
  "Informieren Sie Ihren Arzt oder Apotheker, wenn Sie andere Arzneimittel einnehmen, kürzlich andere Arzneimittel eingenommen haben oder beabsichtigen, andere Arzneimittel einzunehmen.";

const missedDoseDe: DemoResponse = {
  id: "r1",
  model: MODEL,
  text: "Wenn Sie eine Dosis vergessen haben, nehmen Sie sie ein, sobald Sie daran denken. Nehmen Sie die doppelte Menge ein, um die vergessene Dosis auszugleichen.",
};

const childrenAr: DemoResponse = {
  id: "r1",
  model: MODEL,
  text: "يُحفظ هذا الدواء بعيدًا عن مرأى ومتناول الأطفال.",
};

const storageAr: DemoResponse = {
  id: "r1",
  model: MODEL,
  text: "يُحفظ في درجة حرارة أعلى من 25 درجة مئوية.",
};

export const translationProject: DemoProject = {
  presetId: "translation-mqm",
  name: "Patient leaflet translation (EN → DE, AR)",
  description:
    "Machine translations of patient information leaflets, annotated by medical translators with MQM error categories and severities, and post-edited.",
  domain: null,
  items: [
    {
      externalId: "leaflet-de-0001",
      prompt: translationPrompt(
        "German",
        "Take one tablet twice a day with food. Do not take more than the recommended dose.",
      ),
      responses: [doseDe],
      domain: "language:de",
      metadata: { sourceLanguage: "en", targetLanguage: "de", section: "4. How to take" },
      status: "consensus",
      annotations: [
        {
          annotator: "expert2",
          hoursAgo: 50,
          durationMs: 90_000,
          label: { errors: [], adequacy: 4, fit_for_purpose: "publish as is" },
        },
        {
          annotator: "expert1",
          hoursAgo: 47,
          durationMs: 110_000,
          label: { errors: [], adequacy: 4, fit_for_purpose: "publish as is" },
        },
        {
          annotator: "junior2",
          hoursAgo: 41,
          durationMs: 140_000,
          label: { errors: [], adequacy: 4, fit_for_purpose: "publish as is" },
        },
      ],
    },
    {
      externalId: "leaflet-de-0002",
      prompt: translationPrompt(
        "German",
        "Tell your doctor or pharmacist if you are taking, have recently taken or might take any other medicines.",
      ),
      responses: [otherMedicinesDe],
      domain: "language:de",
      metadata: { sourceLanguage: "en", targetLanguage: "de", section: "2. Before you take" },
      status: "disputed",
      annotations: [
        {
          annotator: "expert2",
          hoursAgo: 25,
          durationMs: 260_000,
          label: {
            errors: [
              mark(
                otherMedicinesDe,
                "oder kürzlich genommen haben",
                "accuracy/omission",
                "major",
                '"or might take" is missing: patients planning to start a medicine are not told to ask.',
              ),
              mark(
                otherMedicinesDe,
                "Sagen Sie Ihrem Doktor",
                "style",
                "minor",
                'The QRD template uses "Informieren Sie Ihren Arzt".',
              ),
              mark(otherMedicinesDe, "Medikamente", "terminology", "minor", "Arzneimittel"),
            ],
            adequacy: 2,
            fit_for_purpose: "retranslate",
            post_edit: otherMedicinesPostEdit,
          },
        },
        {
          annotator: "expert1",
          hoursAgo: 21,
          durationMs: 150_000,
          label: {
            errors: [
              mark(otherMedicinesDe, "oder kürzlich genommen haben", "accuracy/omission", "minor"),
            ],
            adequacy: 3,
            fit_for_purpose: "publish after minor edits",
          },
        },
        {
          annotator: "junior2",
          hoursAgo: 18,
          durationMs: 200_000,
          label: {
            errors: [mark(otherMedicinesDe, "Doktor", "terminology", "minor")],
            adequacy: 3,
            fit_for_purpose: "publish after minor edits",
          },
        },
      ],
    },
    {
      externalId: "leaflet-de-0003",
      prompt: translationPrompt(
        "German",
        "If you forget a dose, take it as soon as you remember. Do not take a double dose to make up for a forgotten dose.",
      ),
      responses: [missedDoseDe],
      domain: "language:de",
      metadata: { sourceLanguage: "en", targetLanguage: "de", section: "3. How to take" },
      status: "annotating",
      reservedBy: ["expert1"],
      annotations: [
        {
          annotator: "expert2",
          hoursAgo: 1,
          durationMs: 120_000,
          label: {
            errors: [
              mark(
                missedDoseDe,
                "Nehmen Sie die doppelte Menge ein",
                "accuracy/mistranslation",
                "critical",
                "The negation is lost: the leaflet now tells patients to double the dose.",
              ),
            ],
            adequacy: 0,
            fit_for_purpose: "retranslate",
            post_edit:
              "Wenn Sie eine Dosis vergessen haben, nehmen Sie sie ein, sobald Sie daran denken. Nehmen Sie nicht die doppelte Menge ein, wenn Sie die vorherige Einnahme vergessen haben.",
          },
        },
      ],
    },
    {
      externalId: "leaflet-ar-0001",
      prompt: translationPrompt(
        "Arabic",
        "Keep this medicine out of the sight and reach of children.",
      ),
      responses: [childrenAr],
      domain: "language:ar",
      metadata: { sourceLanguage: "en", targetLanguage: "ar", section: "5. How to store" },
      status: "annotating",
      annotations: [
        {
          annotator: "junior2",
          hoursAgo: 3,
          durationMs: 70_000,
          label: { errors: [], adequacy: 4, fit_for_purpose: "publish as is" },
        },
      ],
    },
    {
      externalId: "leaflet-ar-0002",
      prompt: translationPrompt("Arabic", "Store below 25 °C."),
      responses: [storageAr],
      domain: "language:ar",
      metadata: { sourceLanguage: "en", targetLanguage: "ar", section: "5. How to store" },
      status: "queued",
      annotations: [],
    },
    {
      externalId: "leaflet-de-0004",
      prompt: translationPrompt("German", "Do not drive or use machines if you feel dizzy."),
      responses: [
        {
          id: "r1",
          model: MODEL,
          text: "Sie dürfen sich nicht an das Steuer eines Fahrzeugs setzen und keine Maschinen bedienen, wenn Ihnen schwindelig ist.",
        },
      ],
      domain: "language:de",
      metadata: { sourceLanguage: "en", targetLanguage: "de", section: "2. Before you take" },
      status: "queued",
      annotations: [],
    },
  ],
  history: translationHistory,
};
