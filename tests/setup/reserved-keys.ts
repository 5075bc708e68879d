import fc from "fast-check";
import type { ResponseRef } from "../../app/domain/template.ts";

/**
 * Labels for the tests of reserved keys (`reservedKeyIssues` in app/domain/template.ts): a
 * template whose field ids include `constructor`, labels it accepts, and the same labels with
 * `__proto__`, `constructor` or `prototype` keys put in at random depths.
 */

export const template = {
  fields: [
    { id: "preference", type: "preference", label: "Preference", required: true },
    { id: "accuracy", type: "rating", label: "Accuracy", min: 1, max: 5, required: true },
    { id: "errors", type: "spans", label: "Errors", categories: ["dosage", "interaction"] },
    { id: "critique", type: "text", label: "Critique" },
    // A field id may be one of the words: as a label's own key it is the field's value.
    { id: "constructor", type: "choice", label: "Constructor", options: ["yes", "no"] },
  ],
};
export const fieldIds: ReadonlySet<string> = new Set(template.fields.map((field) => field.id));

export const responses: ResponseRef[] = [
  { id: "a", text: "Take 5 mg of warfarin daily with the antibiotic." },
  { id: "b", text: "Check the INR within 3 days; the antibiotic potentiates warfarin." },
];

const span = fc
  .record({
    response: fc.constantFrom(...responses),
    from: fc.nat(),
    length: fc.integer({ min: 1, max: 20 }),
    category: fc.constantFrom("dosage", "interaction"),
    severity: fc.constantFrom("minor", "major", "critical"),
    note: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
  })
  .map(({ response, from, length, category, severity, note }) => {
    const start = from % (response.text.length - 1);
    const end = Math.min(response.text.length, start + length);
    return {
      responseId: response.id,
      start,
      end,
      text: response.text.slice(start, end),
      category,
      severity,
      ...(note === undefined ? {} : { note }),
    };
  });

/** Labels the template accepts as they are (spans already quote their text). */
export const validLabel = fc.record(
  {
    preference: fc.integer({ min: -2, max: 2 }),
    accuracy: fc.integer({ min: 1, max: 5 }),
    errors: fc.array(span, { maxLength: 4 }),
    critique: fc.string({ maxLength: 40 }),
    constructor: fc.constantFrom("yes", "no"),
  },
  { requiredKeys: ["preference", "accuracy"] },
);

const reservedKey = fc.constantFrom("__proto__", "constructor", "prototype");
const anyJson = fc.jsonValue({ maxDepth: 2 });

/** Where one reserved key goes: on which object of the label, and how deep below it. */
export const insertion = fc.record({
  host: fc.nat(),
  chain: fc.array(fc.constantFrom("object" as const, "array" as const), { maxLength: 4 }),
  key: reservedKey,
  value: anyJson,
});
type Insertion = typeof insertion extends fc.Arbitrary<infer Value> ? Value : never;

/** Sets `key` as an own, enumerable property, as JSON.parse does; `__proto__` included. */
function setOwn(target: object, key: string, value: unknown) {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/**
 * The label with reserved keys put in at random depths, as it arrives over the wire (sent as
 * JSON text, parsed again), and the paths of the keys put in. A `constructor` key right on the
 * label is the template's field, not an insertion, so none is put there.
 */
export function poisoned(label: Record<string, unknown>, insertions: ReadonlyArray<Insertion>) {
  const copy = JSON.parse(JSON.stringify(label)) as Record<string, unknown>;
  const hosts: Array<{ object: object; path: PropertyKey[] }> = [{ object: copy, path: [] }];
  ((copy.errors as object[] | undefined) ?? []).forEach((object, index) =>
    hosts.push({ object, path: ["errors", index] }),
  );
  const expected = new Set<string>();
  insertions.forEach(({ host: hostIndex, chain, key, value }, number) => {
    const host = hosts[hostIndex % hosts.length]!;
    const isField = key === "constructor" && host.path.length === 0 && chain.length === 0;
    const used = isField ? "prototype" : key;
    if (chain.length === 0) {
      setOwn(host.object, used, value);
      expected.add([...host.path, used].join("."));
      return;
    }
    // Below the host, under a fresh key: an object under `level` or an array's first entry
    // for each step of the chain, then the object holding the key.
    const leaf = {};
    setOwn(leaf, used, value);
    let nested: unknown = leaf;
    for (const kind of [...chain].reverse()) {
      nested = kind === "array" ? [nested] : { level: nested };
    }
    setOwn(host.object, `extra${number}`, nested);
    const steps = chain.map((kind) => (kind === "array" ? 0 : "level"));
    expected.add([...host.path, `extra${number}`, ...steps, used].join("."));
  });
  return { wire: JSON.parse(JSON.stringify(copy)) as unknown, expected };
}

export const pathsOf = (issues: ReadonlyArray<{ path: PropertyKey[] }>) =>
  new Set(issues.map((issue) => issue.path.join(".")));
