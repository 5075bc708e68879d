import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  chatRoles,
  csvHeader,
  csvRow,
  exportFileName,
  exportRecords,
  exportedLabel,
  hasOnlyChatRoles,
  isExportFormat,
  ndjsonLine,
  signalFieldFor,
  type ExportItem,
  type SignalField,
} from "./export.ts";
import { templateSchema, type Label } from "./template.ts";

const template = templateSchema.parse({
  fields: [
    { id: "accuracy", type: "rating", label: "Accuracy", min: 1, max: 5 },
    { id: "preference", type: "preference", label: "Preference", scale: 2 },
    { id: "order", type: "ranking", label: "Order" },
    { id: "second", type: "preference", label: "Second opinion", scale: 1 },
    { id: "verdict", type: "choice", label: "Verdict", options: ["safe", "unsafe"] },
    { id: "notes", type: "text", label: "Notes" },
  ],
});

function fieldNamed(id: string): SignalField {
  const choice = signalFieldFor(template, "dpo", id);
  if (!choice.ok || !choice.field) throw new Error(`no field ${id}`);
  return choice.field;
}

const pair = [
  { id: "a", text: "Check the INR first." },
  { id: "b", text: "Take it daily." },
];

function item(label: Label, overrides: Partial<ExportItem> = {}): ExportItem {
  return {
    externalId: "q-1",
    prompt: "Warfarin with an antibiotic?",
    responses: pair,
    metadata: {},
    source: "published",
    label,
    version: 2,
    rationale: "The INR decides it.",
    publishedAt: "2026-01-02T03:04:05.000Z",
    annotations: [{ annotator: "Annotator A", label: { preference: -1 } }],
    ...overrides,
  };
}

const preference = () => fieldNamed("preference");

describe("dpo", () => {
  it("prefers the first response for a negative value and the second for a positive one", () => {
    expect(exportRecords("dpo", preference(), item({ preference: -2 }))).toEqual([
      {
        externalId: "q-1",
        prompt: "Warfarin with an antibiotic?",
        chosen: "Check the INR first.",
        rejected: "Take it daily.",
      },
    ]);
    expect(exportRecords("dpo", preference(), item({ preference: 1 }))).toEqual([
      {
        externalId: "q-1",
        prompt: "Warfarin with an antibiotic?",
        chosen: "Take it daily.",
        rejected: "Check the INR first.",
      },
    ]);
  });

  it("skips ties, missing values and items without exactly two responses", () => {
    expect(exportRecords("dpo", preference(), item({ preference: 0 }))).toEqual([]);
    expect(exportRecords("dpo", preference(), item({ accuracy: 4 }))).toEqual([]);
    expect(
      exportRecords("dpo", preference(), item({ preference: -1 }, { responses: [pair[0]!] })),
    ).toEqual([]);
  });

  it("gives a conversation prompt the conversational form", () => {
    const conversation = [
      { role: "user", content: "I take warfarin." },
      { role: "assistant", content: "Noted." },
      { role: "user", content: "Can I take an antibiotic?" },
    ];
    expect(
      exportRecords("dpo", preference(), item({ preference: 2 }, { prompt: conversation })),
    ).toEqual([
      {
        externalId: "q-1",
        prompt: conversation,
        chosen: [{ role: "assistant", content: "Take it daily." }],
        rejected: [{ role: "assistant", content: "Check the INR first." }],
      },
    ]);
  });

  it("turns a ranking into every ordered pair, best first", () => {
    const three = [...pair, { id: "c", text: "Ask a pharmacist." }];
    const records = exportRecords(
      "dpo",
      fieldNamed("order"),
      item({ order: ["c", "a", "b"] }, { responses: three }),
    );
    expect(records.map((record) => [record.chosen, record.rejected])).toEqual([
      ["Ask a pharmacist.", "Check the INR first."],
      ["Ask a pharmacist.", "Take it daily."],
      ["Check the INR first.", "Take it daily."],
    ]);
  });
});

describe("prompt styles", () => {
  const conversation = [
    { role: "user", content: "I take warfarin." },
    { role: "assistant", content: "Noted." },
    { role: "user", content: "Can I take an antibiotic?" },
  ];

  it("implicit puts the prompt at the start of chosen and rejected, for dpo and reward", () => {
    expect(exportRecords("dpo", preference(), item({ preference: -2 }), "implicit")).toEqual([
      {
        externalId: "q-1",
        chosen: "Warfarin with an antibiotic?\n\nCheck the INR first.",
        rejected: "Warfarin with an antibiotic?\n\nTake it daily.",
      },
    ]);
    expect(
      exportRecords(
        "reward",
        preference(),
        item({ preference: 1 }, { prompt: conversation }),
        "implicit",
      ),
    ).toEqual([
      {
        externalId: "q-1",
        chosen: [...conversation, { role: "assistant", content: "Take it daily." }],
        rejected: [...conversation, { role: "assistant", content: "Check the INR first." }],
        margin: 1,
      },
    ]);
  });

  it("gives the same pairs in both styles, each implicit reply its explicit prompt and reply", () => {
    const text = fc.string({ minLength: 1, maxLength: 40 });
    const turn = fc.record({ role: fc.constantFrom("user", "assistant"), content: text });
    fc.assert(
      fc.property(
        fc.oneof(text, fc.array(turn, { minLength: 1, maxLength: 4 })),
        fc.integer({ min: -2, max: 2 }),
        fc.constantFrom("dpo" as const, "reward" as const),
        (prompt, value, format) => {
          const labelled = item({ preference: value }, { prompt });
          const explicit = exportRecords(format, preference(), labelled, "explicit");
          const implicit = exportRecords(format, preference(), labelled, "implicit");
          expect(implicit).toHaveLength(explicit.length);
          explicit.forEach((record, index) => {
            const joined = (reply: unknown) =>
              typeof prompt === "string"
                ? `${prompt}\n\n${reply as string}`
                : [...prompt, ...(reply as object[])];
            const { prompt: _prompt, ...rest } = record;
            expect(implicit[index]).toEqual({
              ...rest,
              chosen: joined(record.chosen),
              rejected: joined(record.rejected),
            });
          });
        },
      ),
    );
  });
});

describe("openai-dpo", () => {
  it("writes OpenAI's preference fine-tuning layout, a string prompt as one user message", () => {
    expect(exportRecords("openai-dpo", preference(), item({ preference: -1 }))).toEqual([
      {
        input: { messages: [{ role: "user", content: "Warfarin with an antibiotic?" }] },
        preferred_output: [{ role: "assistant", content: "Check the INR first." }],
        non_preferred_output: [{ role: "assistant", content: "Take it daily." }],
      },
    ]);
  });

  it("keeps a conversation's turns and states every pair of a ranking", () => {
    const conversation = [{ role: "user", content: "Which first?" }];
    const three = [...pair, { id: "c", text: "Ask a pharmacist." }];
    const records = exportRecords(
      "openai-dpo",
      fieldNamed("order"),
      item({ order: ["c", "a", "b"] }, { prompt: conversation, responses: three }),
    );
    expect(records).toHaveLength(3);
    expect(records[0]).toEqual({
      input: { messages: conversation },
      preferred_output: [{ role: "assistant", content: "Ask a pharmacist." }],
      non_preferred_output: [{ role: "assistant", content: "Check the INR first." }],
    });
    expect(exportRecords("openai-dpo", preference(), item({ preference: 0 }))).toEqual([]);
  });
});

describe("reward", () => {
  it("is the dpo pairs with a margin: the preference's strength or the ranks between", () => {
    expect(exportRecords("reward", preference(), item({ preference: -2 }))).toEqual([
      {
        externalId: "q-1",
        prompt: "Warfarin with an antibiotic?",
        chosen: "Check the INR first.",
        rejected: "Take it daily.",
        margin: 2,
      },
    ]);
    expect(
      exportRecords("reward", fieldNamed("second"), item({ second: 1 })).map((r) => r.margin),
    ).toEqual([1]);
    const three = [...pair, { id: "c", text: "Ask a pharmacist." }];
    expect(
      exportRecords(
        "reward",
        fieldNamed("order"),
        item({ order: ["b", "a", "c"] }, { responses: three }),
      ).map((record) => record.margin),
    ).toEqual([1, 2, 1]);
    expect(exportRecords("reward", preference(), item({ preference: 0 }))).toEqual([]);
  });
});

describe("kto", () => {
  it("marks the preferred response desirable and the other not; ties say nothing", () => {
    const field = signalFieldFor(template, "kto");
    expect(field).toMatchObject({ ok: true, field: { id: "preference" } });
    const kto = field.ok ? field.field : null;
    expect(exportRecords("kto", kto, item({ preference: 1 }))).toEqual([
      {
        externalId: "q-1",
        prompt: "Warfarin with an antibiotic?",
        completion: "Take it daily.",
        label: true,
      },
      {
        externalId: "q-1",
        prompt: "Warfarin with an antibiotic?",
        completion: "Check the INR first.",
        label: false,
      },
    ]);
    expect(exportRecords("kto", kto, item({ preference: 0 }))).toEqual([]);
  });

  it("takes the top and bottom of a ranking", () => {
    const three = [...pair, { id: "c", text: "Ask a pharmacist." }];
    expect(
      exportRecords(
        "kto",
        fieldNamed("order"),
        item({ order: ["c", "a", "b"] }, { responses: three }),
      ).map((record) => [record.completion, record.label]),
    ).toEqual([
      ["Ask a pharmacist.", true],
      ["Take it daily.", false],
    ]);
  });

  it("judges a single response by a rating at or above the scale's midpoint", () => {
    const choice = signalFieldFor(template, "kto", "accuracy");
    expect(choice).toMatchObject({ ok: true, field: { id: "accuracy" } });
    const rating = choice.ok ? choice.field : null;
    const single = (value: number, prompt: ExportItem["prompt"] = "Dose?") =>
      exportRecords("kto", rating, item({ accuracy: value }, { prompt, responses: [pair[0]!] }));
    expect(single(3)).toEqual([
      { externalId: "q-1", prompt: "Dose?", completion: "Check the INR first.", label: true },
    ]);
    expect(single(5)[0]?.label).toBe(true);
    expect(single(2)[0]?.label).toBe(false);
    expect(single(4, [{ role: "user", content: "Dose?" }])).toEqual([
      {
        externalId: "q-1",
        prompt: [{ role: "user", content: "Dose?" }],
        completion: [{ role: "assistant", content: "Check the INR first." }],
        label: true,
      },
    ]);
    // 1..4 has its midpoint at 2.5: 2 is below it, 3 above.
    const even = templateSchema.parse({
      fields: [{ id: "score", type: "rating", label: "Score", min: 1, max: 4 }],
    });
    const evenChoice = signalFieldFor(even, "kto");
    const score = evenChoice.ok ? evenChoice.field : null;
    const judged = (value: number) =>
      exportRecords("kto", score, item({ score: value }, { responses: [pair[0]!] }))[0]?.label;
    expect([judged(2), judged(3)]).toEqual([false, true]);
    // A rating of an item with two responses does not say which of them it judges.
    expect(exportRecords("kto", rating, item({ accuracy: 5 }))).toEqual([]);
  });

  it("falls back to the first rating field when there is no preference or ranking", () => {
    const ratingsOnly = templateSchema.parse({
      fields: [
        { id: "clarity", type: "rating", label: "Clarity", min: 0, max: 10 },
        { id: "safety", type: "rating", label: "Safety", min: 1, max: 5 },
      ],
    });
    expect(signalFieldFor(ratingsOnly, "kto")).toMatchObject({
      ok: true,
      field: { id: "clarity" },
    });
    expect(signalFieldFor(ratingsOnly, "kto", "safety")).toMatchObject({
      ok: true,
      field: { id: "safety" },
    });
  });
});

describe("externalId on training lines", () => {
  const formats = ["dpo", "reward", "kto", "openai-dpo"] as const;

  it("joins every dpo, reward and kto line to its item, and keeps openai-dpo to OpenAI's keys (property)", () => {
    const three = [...pair, { id: "c", text: "Ask a pharmacist." }];
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 30 }),
        fc.constantFrom(...formats),
        fc.constantFrom("explicit" as const, "implicit" as const),
        fc.oneof(
          fc.record({ preference: fc.integer({ min: -2, max: 2 }) }),
          fc.record({ order: fc.shuffledSubarray(["a", "b", "c"], { minLength: 2 }) }),
        ),
        (externalId, format, promptStyle, label) => {
          const field = fieldNamed("order" in label ? "order" : "preference");
          const style = format === "dpo" || format === "reward" ? promptStyle : "explicit";
          const labelled = item(label, { externalId, responses: "order" in label ? three : pair });
          const records = exportRecords(format, field, labelled, style);
          for (const record of records) {
            if (format === "openai-dpo") {
              expect(Object.keys(record)).toEqual([
                "input",
                "preferred_output",
                "non_preferred_output",
              ]);
            } else {
              expect(record.externalId).toBe(externalId);
            }
          }
          // The key is added and nothing else changes: without it, the lines are as they were.
          if (format !== "openai-dpo") {
            const without = records.map(({ externalId: _id, ...rest }) => rest);
            expect(without.every((record) => !("externalId" in record))).toBe(true);
            const expectedKeys =
              format === "kto"
                ? ["prompt", "completion", "label"]
                : [
                    ...(style === "explicit" ? ["prompt"] : []),
                    "chosen",
                    "rejected",
                    ...(format === "reward" ? ["margin"] : []),
                  ];
            for (const record of without) expect(Object.keys(record)).toEqual(expectedKeys);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("conversation roles in the preference formats", () => {
  const formats = ["dpo", "reward", "kto", "openai-dpo"] as const;
  const chatRoleNames: ReadonlyArray<string> = chatRoles;
  /** Every `role` of a message anywhere in a record: prompts, replies, OpenAI's outputs. */
  function rolesIn(value: unknown): string[] {
    if (Array.isArray(value)) return value.flatMap(rolesIn);
    if (typeof value !== "object" || value === null) return [];
    const own =
      "role" in value && typeof value.role === "string" && "content" in value ? [value.role] : [];
    return [...own, ...Object.values(value).flatMap(rolesIn)];
  }
  const role = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom("system", "user", "assistant") },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.constantFrom(
          "tool",
          "function",
          "developer",
          "human",
          "gpt",
          "model",
          "User",
          "ASSISTANT",
        ),
        fc.string({ minLength: 1, maxLength: 12 }),
      ),
    },
  );
  const conversation = fc.array(fc.record({ role, content: fc.string({ maxLength: 20 }) }), {
    minLength: 1,
    maxLength: 6,
  });

  it("takes a conversation only when every role is system, user or assistant, and then as it is (property)", () => {
    fc.assert(
      fc.property(
        conversation,
        fc.constantFrom(...formats),
        fc.integer({ min: -2, max: 2 }).filter((value) => value !== 0),
        fc.constantFrom("explicit" as const, "implicit" as const),
        (prompt, format, value, promptStyle) => {
          const style = format === "dpo" || format === "reward" ? promptStyle : "explicit";
          const labelled = item({ preference: value }, { prompt });
          const records = exportRecords(format, preference(), labelled, style);
          const chatOnly = prompt.every((turn) =>
            ["system", "user", "assistant"].includes(turn.role),
          );
          expect(hasOnlyChatRoles(prompt)).toBe(chatOnly);
          if (!chatOnly) {
            expect(records).toEqual([]);
          } else {
            // A clear preference on two responses always states a pair.
            expect(records.length).toBeGreaterThan(0);
            for (const record of records) {
              expect(rolesIn(record).filter((name) => !chatRoleNames.includes(name))).toEqual([]);
            }
            // The conversation goes in as it is, not rewritten.
            for (const record of records) {
              const written =
                format === "openai-dpo"
                  ? (record.input as { messages: unknown }).messages
                  : style === "implicit"
                    ? (record.chosen as unknown[]).slice(0, -1)
                    : record.prompt;
              expect(written).toEqual(prompt);
            }
          }
          // The complete record keeps every item, whatever its roles.
          expect(exportRecords("jsonl", null, labelled)).toHaveLength(1);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("takes any string prompt", () => {
    fc.assert(
      fc.property(fc.string(), (prompt) => {
        expect(hasOnlyChatRoles(prompt)).toBe(true);
        expect(
          exportRecords("dpo", preference(), item({ preference: 1 }, { prompt })),
        ).toHaveLength(1);
      }),
    );
  });

  it("leaves out a conversation with a tool turn or a role spelled otherwise", () => {
    for (const other of ["tool", "human", "User", " user"]) {
      const prompt = [
        { role: "user", content: "Dose?" },
        { role: other, content: "5 mg" },
      ];
      for (const format of formats) {
        expect(
          exportRecords(format, preference(), item({ preference: -1 }, { prompt })),
          `${format} ${other}`,
        ).toEqual([]);
      }
    }
  });
});

describe("signalFieldFor", () => {
  it("takes the first preference field unless another is named", () => {
    expect(signalFieldFor(template, "dpo")).toMatchObject({
      ok: true,
      field: { id: "preference" },
    });
    expect(signalFieldFor(template, "reward", "second")).toMatchObject({
      ok: true,
      field: { id: "second" },
    });
    expect(signalFieldFor(template, "jsonl", "anything")).toEqual({ ok: true, field: null });
  });

  it("refuses a field that does not exist or has the wrong type", () => {
    expect(signalFieldFor(template, "dpo", "missing")).toEqual({
      ok: false,
      message: 'the template has no field "missing"',
    });
    expect(signalFieldFor(template, "dpo", "accuracy")).toEqual({
      ok: false,
      message: '"accuracy" is a rating field; dpo reads a field of type preference, ranking',
    });
    expect(signalFieldFor(template, "kto", "verdict")).toMatchObject({ ok: false });
    const ratingsOnly = templateSchema.parse({
      fields: [{ id: "clarity", type: "rating", label: "Clarity", min: 0, max: 10 }],
    });
    expect(signalFieldFor(ratingsOnly, "dpo")).toEqual({
      ok: false,
      message: "the template has no field of type preference, ranking for dpo",
    });
  });
});

describe("jsonl", () => {
  it("is the complete record; a consensus item has no version", () => {
    expect(
      exportRecords("jsonl", null, item({ preference: -1 }, { metadata: { batch: 3 } })),
    ).toEqual([
      {
        externalId: "q-1",
        prompt: "Warfarin with an antibiotic?",
        responses: pair,
        label: { preference: -1 },
        source: "published",
        version: 2,
        rationale: "The INR decides it.",
        publishedAt: "2026-01-02T03:04:05.000Z",
        annotations: [{ annotator: "Annotator A", label: { preference: -1 } }],
        metadata: { batch: 3 },
      },
    ]);
    const consensus = item(
      { preference: 1 },
      {
        source: "consensus",
        version: undefined,
        rationale: undefined,
        publishedAt: undefined,
      },
    );
    expect(Object.keys(exportRecords("jsonl", null, consensus)[0]!)).toEqual([
      "externalId",
      "prompt",
      "responses",
      "label",
      "source",
      "annotations",
      "metadata",
    ]);
  });

  it("writes one line per record", () => {
    expect(ndjsonLine({ text: "two\nlines" })).toBe('{"text":"two\\nlines"}\n');
  });

  it("writes one line per record for any line reader, the Unicode separators escaped (property)", () => {
    expect(ndjsonLine({ text: "a\u2028b\u2029c\u0085d" })).toBe(
      '{"text":"a\\u2028b\\u2029c\\u0085d"}\n',
    );
    // Where Python's str.splitlines breaks a line.
    const breaking = new Set([
      "\n",
      "\r",
      "\v",
      "\f",
      "\x1c",
      "\x1d",
      "\x1e",
      "\x85",
      "\u2028",
      "\u2029",
    ]);
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ unit: "grapheme" }),
          fc.string({ unit: fc.constantFrom("a", "\n", "\u2028", "\u2029", "\u0085", "é", "\r") }),
        ),
        (record) => {
          const line = ndjsonLine(record);
          expect(line.endsWith("\n")).toBe(true);
          expect([...line.slice(0, -1)].filter((character) => breaking.has(character))).toEqual([]);
          expect(JSON.parse(line)).toEqual(record);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("csv", () => {
  it("flattens a label into one column per field, complex values as JSON", () => {
    expect(csvHeader(template)).toBe(
      "externalId,source,version,prompt,responses,rationale,label.accuracy,label.preference,label.order,label.second,label.verdict,label.notes\r\n",
    );
    expect(
      csvRow(
        template,
        item({ accuracy: 4, preference: -1, order: ["a", "b"], notes: 'Says "daily",\nwrongly' }),
      ),
    ).toBe(
      'q-1,published,2,Warfarin with an antibiotic?,"[{""id"":""a"",""text"":""Check the INR first.""},{""id"":""b"",""text"":""Take it daily.""}]",The INR decides it.,4,-1,"[""a"",""b""]",,,"Says ""daily"",\nwrongly"\r\n',
    );
  });

  it("writes text that a spreadsheet would run as a formula with a leading apostrophe, numbers as they are", () => {
    const row = csvRow(
      template,
      item(
        { accuracy: -3, preference: -1, notes: '=HYPERLINK("http://x")' },
        { externalId: "+1-555", rationale: "@SUM(A1)", prompt: "-2+3" },
      ),
    );
    expect(row).toBe(
      `'+1-555,published,2,'-2+3,"[{""id"":""a"",""text"":""Check the INR first.""},{""id"":""b"",""text"":""Take it daily.""}]",'@SUM(A1),-3,-1,,,,"'=HYPERLINK(""http://x"")"\r\n`,
    );
  });

  it("keeps a text's own leading apostrophe, so that a spreadsheet still shows it", () => {
    const row = csvRow(template, item({ notes: "'+1 is not a formula" }, { externalId: "'tis" }));
    const cells = parseCsvLine(row);
    expect(cells[0]).toBe("''tis");
    expect(cells[cells.length - 1]).toBe("''+1 is not a formula");
  });

  it("never starts a text cell with a formula character, whatever the text", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (notes, externalId) => {
        const row = csvRow(template, item({ notes }, { externalId, prompt: notes }));
        for (const cell of parseCsvLine(row)) {
          expect(/^[=+\-@\t\r]/.test(cell) && !/^-?\d/.test(cell), cell).toBe(false);
        }
        // Nothing is lost: one leading apostrophe removed, the cell is the text.
        const cells = parseCsvLine(row);
        expect(cells[0]!.replace(/^'/, "")).toBe(externalId);
        expect(cells[cells.length - 1]!.replace(/^'/, "")).toBe(notes);
      }),
      { numRuns: 300 },
    );
  });
});

/** The cells of one CSV record as RFC 4180 reads them. */
function parseCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let index = 0; index < line.length; index++) {
    const char = line[index]!;
    if (quoted) {
      if (char === '"' && line[index + 1] === '"') {
        cell += '"';
        index++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      cells.push(cell);
      cell = "";
    } else if (char === "\r" && line[index + 1] === "\n" && index + 2 === line.length) break;
    else cell += char;
  }
  cells.push(cell);
  return cells;
}

describe("exportedLabel", () => {
  const spanned = templateSchema.parse({
    fields: [
      { id: "errors", type: "spans", label: "Errors", categories: ["dose"] },
      { id: "notes", type: "text", label: "Notes" },
    ],
  });
  const span = {
    responseId: "a",
    start: 0,
    end: 5,
    text: "Check",
    category: "dose",
    severity: "major",
  };

  it("gives a span published from a room the shape of a consensus span: no room id", () => {
    const published = exportedLabel(spanned, {
      errors: [{ ...span, id: "room-span-1" }],
      notes: "ok",
    });
    const consensus = exportedLabel(spanned, { errors: [span], notes: "ok" });
    expect(published).toEqual(consensus);
    expect(published).toEqual({ errors: [span], notes: "ok" });
  });

  it("gives a text box a room left empty the shape of a consensus without the field", () => {
    expect(exportedLabel(spanned, { errors: [], notes: "" })).toEqual(
      exportedLabel(spanned, { errors: [] }),
    );
    expect(exportedLabel(spanned, { errors: [], notes: "" })).toEqual({ errors: [] });
  });

  it("changes nothing else, whatever the label (property)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record(
            {
              responseId: fc.constantFrom("a", "b"),
              start: fc.nat(50),
              end: fc.nat(50),
              category: fc.constant("dose"),
              severity: fc.constantFrom("minor", "major"),
              id: fc.string(),
              note: fc.string(),
            },
            { requiredKeys: ["responseId", "start", "end", "category", "severity"] },
          ),
          { maxLength: 5 },
        ),
        fc.string(),
        (spans, notes) => {
          const exported = exportedLabel(spanned, { errors: spans, notes });
          expect(exported.notes).toBe(notes === "" ? undefined : notes);
          expect(exported.errors).toEqual(spans.map(({ id: _id, ...rest }) => rest));
        },
      ),
    );
  });
});

describe("formats and file names", () => {
  it("knows its formats and names files after the project", () => {
    expect(["jsonl", "dpo", "reward", "kto", "openai-dpo", "csv"].every(isExportFormat)).toBe(true);
    expect(isExportFormat("parquet")).toBe(false);
    expect(exportFileName("Warfarin Interactions — Ärzte", 7, "dpo")).toBe(
      "warfarin-interactions-arzte-dpo.jsonl",
    );
    expect(exportFileName("***", 7, "csv")).toBe("project-7-csv.csv");
  });
});
