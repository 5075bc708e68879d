import type { Label } from "../../../app/domain/template.ts";
import { mark, type DemoResponse } from "./demo-content.ts";
import type { DemoHistory, HistoryCase } from "./history.ts";

function germanLeaflet(
  externalId: string,
  section: string,
  source: string,
  translation: string,
  truth: (response: DemoResponse) => Label,
): HistoryCase {
  const response: DemoResponse = { id: "r1", model: "translate-v2", text: translation };
  return {
    externalId,
    prompt: `Translate this sentence from a patient information leaflet into German. Keep the register of an official leaflet.\n\n> ${source}`,
    responses: [response],
    domain: "language:de",
    metadata: { sourceLanguage: "en", targetLanguage: "de", section },
    truth: truth(response),
  };
}

const publishable: Label = { errors: [], adequacy: 4, fit_for_purpose: "publish as is" };

export const translationHistory: DemoHistory = {
  annotators: ["expert2", "expert1", "junior2"],
  cases: [
    germanLeaflet(
      "leaflet-h01",
      "5. How to store",
      "Keep this medicine out of the sight and reach of children.",
      "Bewahren Sie dieses Arzneimittel für Kinder unzugänglich auf.",
      () => publishable,
    ),
    {
      ...germanLeaflet(
        "leaflet-h02",
        "5. How to store",
        "Do not store above 25 °C.",
        "Nicht über 25 °C lagern.",
        () => publishable,
      ),
      gold: true,
    },
    germanLeaflet(
      "leaflet-h03",
      "2. Before you take",
      "Do not drive or use machines if you feel dizzy.",
      "Sie dürfen kein Fahrzeug führen oder Maschinen bedienen, wenn Ihnen schwindelig ist.",
      () => publishable,
    ),
    germanLeaflet(
      "leaflet-h04",
      "3. How to take",
      "Swallow the tablets whole with a glass of water.",
      "Kauen Sie die Tabletten mit einem Glas Wasser.",
      (response) => ({
        errors: [
          mark(response, "Kauen", "accuracy/mistranslation", "critical", "Chew, not swallow."),
        ],
        adequacy: 1,
        fit_for_purpose: "retranslate",
        post_edit: "Schlucken Sie die Tabletten unzerkaut mit einem Glas Wasser.",
      }),
    ),
    germanLeaflet(
      "leaflet-h05",
      "2. Before you take",
      "If you are pregnant or breast-feeding, ask your doctor for advice before taking this medicine.",
      "Wenn Sie schwanger sind, fragen Sie vor der Einnahme dieses Arzneimittels Ihren Arzt um Rat.",
      (response) => ({
        errors: [
          mark(
            response,
            "Wenn Sie schwanger sind,",
            "accuracy/omission",
            "major",
            "Breast-feeding is left out.",
          ),
        ],
        adequacy: 2,
        fit_for_purpose: "publish after minor edits",
        post_edit:
          "Wenn Sie schwanger sind oder stillen, fragen Sie vor der Einnahme dieses Arzneimittels Ihren Arzt um Rat.",
      }),
    ),
    germanLeaflet(
      "leaflet-h06",
      "4. Possible side effects",
      "Like all medicines, this medicine can cause side effects, although not everybody gets them.",
      "Wie alle Arzneimittel kann auch dieses Arzneimittel Nebenwirkungen haben, die aber nicht bei jedem auftreten müssen.",
      () => publishable,
    ),
    germanLeaflet(
      "leaflet-h07",
      "2. Before you take",
      "Tell your doctor if you have kidney problems.",
      "Informieren Sie Ihren Doktor, wenn Sie Nierenprobleme haben.",
      (response) => ({
        errors: [mark(response, "Doktor", "terminology", "minor", "Leaflets say Arzt.")],
        adequacy: 3,
        fit_for_purpose: "publish after minor edits",
        post_edit: "Informieren Sie Ihren Arzt, wenn Sie Nierenprobleme haben.",
      }),
    ),
    germanLeaflet(
      "leaflet-h08",
      "3. How to take",
      "The usual dose is 5 ml three times a day.",
      "Die übliche Dosis beträgt 5 ml dreimal pro Woche.",
      (response) => ({
        errors: [
          mark(
            response,
            "dreimal pro Woche",
            "accuracy/mistranslation",
            "critical",
            "Three times a week instead of a day.",
          ),
        ],
        adequacy: 1,
        fit_for_purpose: "retranslate",
        post_edit: "Die übliche Dosis beträgt 5 ml dreimal täglich.",
      }),
    ),
  ],
};
