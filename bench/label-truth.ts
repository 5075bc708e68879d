import { checkAgreement, type DisputePolicy } from "../app/domain/disputes.ts";
import { spanF1 } from "../app/domain/spans.ts";
import {
  templateSchema,
  type Label,
  type LabelValue,
  type ResponseRef,
  type SpanAnnotation,
  type Template,
  type TemplateField,
  type TemplateInput,
} from "../app/domain/template.ts";

/**
 * `npx tsx bench/label-truth.ts`: the simulation behind the dispute policy's defaults
 * (docs/decisions/018-label-truth.md). Noisy annotators label items whose true label is seeded,
 * field type by field type; each item is settled by `checkAgreement`, the rule the server runs,
 * under the old defaults (a rating spread of 2 on every scale, unanimous choices) and the new
 * ones, and under candidate defaults for the rating spread. It prints, per case, the share of
 * items disputed and the share of consensus labels that match the truth. Seeded: every run
 * prints the same numbers. `LABEL_TRUTH_ITEMS` changes the number of items (default 400).
 */

const SEED = 20261205;
const ITEMS = Number(process.env.LABEL_TRUTH_ITEMS ?? 400);
const ANNOTATOR_COUNTS = [2, 3, 7];
/** Share of annotators' answers that are careless: a uniformly random value. */
const CARELESS = 0.05;

/** mulberry32: a small seeded generator, so that the simulation is the same on every machine. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    integer: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    chance: (probability: number) => next() < probability,
    normal: () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
    pick: <T>(values: ReadonlyArray<T>): T => values[Math.floor(next() * values.length)]!,
  };
}
type Random = ReturnType<typeof generator>;

const responseText = "x".repeat(400);
const responses: ResponseRef[] = [
  { id: "a", text: responseText },
  { id: "b", text: responseText },
  { id: "c", text: responseText },
];

interface Scenario {
  name: string;
  field: TemplateInput["fields"][number];
  /** The true value of one item. */
  truth(random: Random, field: TemplateField): LabelValue;
  /** One annotator's value, from the truth and the annotator's noise (1 = typical). */
  annotate(random: Random, field: TemplateField, truth: LabelValue, noise: number): LabelValue;
  /** Whether a consensus value counts as the truth. */
  matches(field: TemplateField, value: LabelValue | undefined, truth: LabelValue): boolean;
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/**
 * A rating: the true point, plus normal noise of 15 % of the range (typical of expert ratings:
 * about 0.6 points on 1–5). A consensus matches within 5 % of the range (exactly on short scales).
 */
function ratingScenario(min: number, max: number): Scenario {
  const range = max - min;
  return {
    name: `rating ${min}–${max}`,
    field: { id: "score", type: "rating", label: "Score", min, max, required: true },
    truth: (random) => random.integer(min, max),
    annotate: (random, _field, truth, noise) =>
      random.chance(CARELESS)
        ? random.integer(min, max)
        : clamp(Math.round((truth as number) + random.normal() * 0.15 * range * noise), min, max),
    matches: (_field, value, truth) =>
      value !== undefined &&
      Math.abs((value as number) - (truth as number)) <= Math.round(0.05 * range),
  };
}

const preferenceScenario: Scenario = {
  name: "preference −2…2",
  field: { id: "preference", type: "preference", label: "Preference", scale: 2, required: true },
  truth: (random) => random.integer(-2, 2),
  annotate: (random, _field, truth, noise) =>
    random.chance(CARELESS)
      ? random.integer(-2, 2)
      : clamp(Math.round((truth as number) + random.normal() * 0.6 * noise), -2, 2),
  matches: (_field, value, truth) => value === truth,
};

const options = ["correct", "partially correct", "incorrect"];
const singleChoiceScenario: Scenario = {
  name: "choice of 3",
  field: { id: "verdict", type: "choice", label: "Verdict", options, required: true },
  truth: (random) => random.pick(options),
  // Right four times in five for a typical annotator; a wrong answer is one of the others.
  annotate: (random, _field, truth, noise) =>
    random.chance(clamp(0.2 * noise, 0, 1)) || random.chance(CARELESS)
      ? random.pick(options.filter((option) => option !== truth))
      : truth,
  matches: (_field, value, truth) => value === truth,
};

const tags = ["logic", "edge cases", "security", "performance", "readability"];
const multipleChoiceScenario: Scenario = {
  name: "multiple choice of 5",
  field: { id: "tags", type: "choice", label: "Tags", options: tags, multiple: true },
  truth: (random) => tags.filter(() => random.chance(0.3)),
  // Each option is misjudged one time in ten by a typical annotator.
  annotate: (random, _field, truth, noise) =>
    tags.filter((tag) => (truth as string[]).includes(tag) !== random.chance(0.1 * noise)),
  matches: (_field, value, truth) =>
    value !== undefined &&
    [...(value as string[])].sort().join("|") === [...(truth as string[])].sort().join("|"),
};

const categories = ["factual error", "omission", "unsupported claim"];
const severities = ["minor", "major", "critical"];
const spansScenario: Scenario = {
  name: "error spans",
  field: { id: "errors", type: "spans", label: "Errors", categories, severities },
  truth: (random) => {
    const count = random.integer(0, 3);
    return Array.from({ length: count }, (_, index) => {
      const start = index * 120 + random.integer(0, 60);
      return {
        responseId: "a",
        start,
        end: start + random.integer(8, 40),
        category: random.pick(categories),
        severity: random.pick(severities),
      };
    });
  },
  // A typical annotator finds 85 % of the errors, with boundaries a few characters off, the
  // category right nine times in ten, and marks a spurious error on one item in seven.
  annotate: (random, _field, truth, noise) => {
    const marked: SpanAnnotation[] = [];
    for (const error of truth as SpanAnnotation[]) {
      if (random.chance(clamp(0.15 * noise, 0, 1))) continue;
      const start = clamp(error.start + random.integer(-3, 3), 0, responseText.length - 1);
      const end = clamp(error.end + random.integer(-3, 3), start + 1, responseText.length);
      const rank = severities.indexOf(error.severity);
      marked.push({
        responseId: "a",
        start,
        end,
        category: random.chance(0.1 * noise)
          ? random.pick(categories.filter((category) => category !== error.category))
          : error.category,
        severity: random.chance(0.2 * noise)
          ? severities[clamp(rank + random.pick([-1, 1]), 0, severities.length - 1)]!
          : error.severity,
      });
    }
    if (random.chance(0.15 * noise)) {
      const start = random.integer(0, responseText.length - 30);
      marked.push({
        responseId: "a",
        start,
        end: start + random.integer(5, 25),
        category: random.pick(categories),
        severity: random.pick(severities),
      });
    }
    return marked;
  },
  matches: (_field, value, truth) =>
    spanF1((value ?? []) as SpanAnnotation[], truth as SpanAnnotation[], "overlap") === 1,
};

const rankingScenario: Scenario = {
  name: "ranking of 3",
  field: { id: "order", type: "ranking", label: "Order", required: true },
  // The truth is an order of latent qualities; an annotator sees each quality with noise.
  truth: (random) => {
    const quality = responses.map(() => random.normal());
    return responses
      .map((response, index) => ({ id: response.id, quality: quality[index]! }))
      .sort((x, y) => y.quality - x.quality)
      .map((entry) => entry.id);
  },
  annotate: (random, _field, truth, noise) =>
    (truth as string[])
      .map((id, position) => ({ id, seen: -position + random.normal() * 0.6 * noise }))
      .sort((x, y) => y.seen - x.seen)
      .map((entry) => entry.id),
  matches: (_field, value, truth) =>
    value !== undefined && (value as string[]).join() === (truth as string[]).join(),
};

const scenarios: Scenario[] = [
  ratingScenario(1, 3),
  ratingScenario(1, 5),
  ratingScenario(1, 7),
  ratingScenario(0, 100),
  preferenceScenario,
  singleChoiceScenario,
  multipleChoiceScenario,
  spansScenario,
  rankingScenario,
];

/** The defaults before decision 018, as an explicit policy for the same field. */
function oldDefaults(field: TemplateField): DisputePolicy {
  if (field.type === "rating") return { [field.id]: { spreadAtLeast: 2 } };
  if (field.type === "choice") return { [field.id]: { minShare: 1 } };
  return {};
}

interface Tally {
  disputed: number;
  consensus: number;
  matching: number;
}

/** Settles `ITEMS` items of one scenario with `annotators` annotators under each policy. */
function simulate(
  scenario: Scenario,
  annotators: number,
  policies: ReadonlyArray<(field: TemplateField) => DisputePolicy>,
): Tally[] {
  const template: Template = templateSchema.parse({ fields: [scenario.field] });
  const field = template.fields[0]!;
  const random = generator(SEED + annotators * 1000 + scenarios.indexOf(scenario));
  const tallies = policies.map(() => ({ disputed: 0, consensus: 0, matching: 0 }));
  for (let item = 0; item < ITEMS; item++) {
    const truth = scenario.truth(random, field);
    // Annotators differ: some are twice as noisy as others.
    const labels: Label[] = Array.from({ length: annotators }, () => ({
      [field.id]: scenario.annotate(random, field, truth, 0.5 + random.next()),
    }));
    policies.forEach((policy, index) => {
      const result = checkAgreement(template, policy(field), labels, responses);
      const tally = tallies[index]!;
      if (result.disputed) {
        tally.disputed++;
      } else {
        tally.consensus++;
        if (scenario.matches(field, result.aggregated[field.id], truth)) tally.matching++;
      }
    });
  }
  return tallies;
}

const percent = (count: number, total: number) =>
  total === 0 ? "—" : `${((100 * count) / total).toFixed(1)} %`;

function table(title: string, columns: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [
    `### ${title}`,
    "",
    line(columns),
    line(columns.map((_, index) => (index === 0 ? "---" : "---:"))),
    ...rows.map(line),
    "",
  ].join("\n");
}

function main(): void {
  const rows: string[][] = [];
  for (const scenario of scenarios) {
    for (const annotators of ANNOTATOR_COUNTS) {
      const [old, current] = simulate(scenario, annotators, [oldDefaults, () => ({})]);
      rows.push([
        scenario.name,
        String(annotators),
        percent(old!.disputed, ITEMS),
        percent(old!.matching, old!.consensus),
        percent(current!.disputed, ITEMS),
        percent(current!.matching, current!.consensus),
      ]);
    }
  }
  process.stdout.write(
    `${table(
      `Old and new defaults, ${ITEMS} items per row (seed ${SEED})`,
      [
        "field",
        "annotators",
        "old: disputed",
        "old: consensus = truth",
        "new: disputed",
        "new: consensus = truth",
      ],
      rows,
    )}\n`,
  );

  const shares = [0.2, 0.25, 0.3, 0.4, 0.5];
  const spreadRows: string[][] = [];
  for (const scenario of scenarios.filter((entry) => entry.field.type === "rating")) {
    for (const annotators of ANNOTATOR_COUNTS) {
      const policies = shares.map((share) => (field: TemplateField) => {
        const range = field.type === "rating" ? field.max - field.min : 0;
        return { [field.id]: { spreadAtLeast: Math.max(1, Math.ceil(range * share - 1e-9)) } };
      });
      const tallies = simulate(scenario, annotators, policies);
      spreadRows.push([
        scenario.name,
        String(annotators),
        ...tallies.map(
          (tally) =>
            `${percent(tally.disputed, ITEMS)} / ${percent(tally.matching, tally.consensus)}`,
        ),
      ]);
    }
  }
  process.stdout.write(
    table(
      "Rating spread that disputes, as a share of the range: disputed / consensus = truth",
      ["scale", "annotators", ...shares.map((share) => `≥ ${share * 100} %`)],
      spreadRows,
    ),
  );

  const shareRows: string[][] = [];
  const choiceShares: Array<[string, number | undefined]> = [
    ["unanimous", 1],
    ["≥ 2/3", 2 / 3 - 1e-9],
    ["majority (> 1/2)", undefined],
  ];
  for (const scenario of [singleChoiceScenario, multipleChoiceScenario]) {
    for (const annotators of ANNOTATOR_COUNTS) {
      const policies = choiceShares.map(
        ([, minShare]) =>
          (field: TemplateField): DisputePolicy =>
            minShare === undefined ? {} : { [field.id]: { minShare } },
      );
      const tallies = simulate(scenario, annotators, policies);
      shareRows.push([
        scenario.name,
        String(annotators),
        ...tallies.map(
          (tally) =>
            `${percent(tally.disputed, ITEMS)} / ${percent(tally.matching, tally.consensus)}`,
        ),
      ]);
    }
  }
  process.stdout.write(
    `\n${table(
      "Choice rule: disputed / consensus = truth",
      ["field", "annotators", ...choiceShares.map(([name]) => name)],
      shareRows,
    )}`,
  );
}

main();
