import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IDLE_THRESHOLD_MS } from "../../app/domain/work-time.ts";
import { projectThroughput } from "../../server/services/throughput.ts";
import { createCast, createProject, type Cast, type Person } from "../setup/adjudication.ts";
import { signInCookie } from "../setup/page-session.ts";
import {
  importVerdictItems,
  labelAfterOneIdleThreshold,
  verdictField,
} from "../setup/quality-fixture.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";

/**
 * The quality page and the overview's dashboard, rendered over HTTP for a lead and for a
 * pseudonymised client, and the daily throughput they are drawn from, on hand-made data.
 *
 * Every label is reserved, its reservation moved ten minutes back and submitted at once, so the
 * server measures one idle threshold, 2 minutes, on each (decision 021). Rates in dollars an
 * hour: Ada Quill (expert) 60 → $2.00 a label; Ben Marsh (junior) 15 → $0.50 a label.
 *
 * The quality project: overlap 2, one single-choice field `verdict`; Ada and Ben label
 *   i1: safe, safe → consensus · i2: unsafe, unsafe → consensus · i3: safe, unsafe → disputed
 *   g1 (gold "unsafe"): Ada unsafe, Ben safe · i4 (imported later): Ada safe → annotating.
 * Each consensus answer is judged against the other label alone (leave-one-out), which agrees.
 *
 *          labels  time    cost    final  gold  judged (i1, i2, g1) / correct
 *   Ada    5       10 min  $10.00  2/2    1/1   $6.00 / 3 → $2.00
 *   Ben    4       8 min   $2.00   2/2    0/1   $1.50 / 2 → $0.75
 *   all    9               $12.00  4/4    1/2   $7.50 / 5 → $1.50
 *
 * Agreement over i1–i3 (two labels each): nominal alpha 1 − (2/6)/(18/30) = 4/9 → 0.44; Fleiss'
 * kappa (2/3 − 1/2)/(1/2) = 1/3 → 0.33; Cohen's kappa of the pair (2/3 − 4/9)/(5/9) = 0.40.
 */
const PASSWORD = "correct horse battery staple";
const ADA = "Ada Quill";
const BEN = "Ben Marsh";

let server: TestServer;
let cast: Cast;
let ada: Person;
let ben: Person;

const verdictTemplate = { fields: [verdictField] };
const baseSettings = { goldRate: 0, juniorReview: { firstN: 0, rate: 0 } };

beforeAll(async () => {
  server = await startTestServer();
  cast = await createCast(server);
  [ada, ben] = [cast.experts[0], cast.junior];
  for (const [person, name, hourlyRate] of [
    [ada, ADA, 60],
    [ben, BEN, 15],
  ] as const) {
    const changed = await cast.admin.api.patch(`/users/${person.id}`, { name, hourlyRate });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
  }
});

afterAll(async () => {
  await server?.stop();
});

function importItems(
  projectId: number,
  items: Array<{ externalId: string; gold?: object; annotations?: object[] }>,
): Promise<Map<string, number>> {
  return importVerdictItems(server, cast.lead, projectId, items);
}

function label(person: Person, projectId: number, itemId: number, verdict: string) {
  return labelAfterOneIdleThreshold(server, person, projectId, itemId, { verdict });
}

async function page(cookie: string, path: string): Promise<string> {
  const response = await fetch(`${server.url}${path}`, { headers: { Cookie: cookie } });
  expect(response.status, path).toBe(200);
  return response.text();
}

/** The text a reader sees in a piece of HTML, with entities decoded and spaces collapsed. */
function textOf(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, " ")
    .replace(/<!--.*?-->/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}

/** The text of every row of the table marked `data-table="…"`, header row first. */
function tableRows(html: string, table: string): string[] {
  const match = new RegExp(`<table[^>]*data-table="${table}"[^>]*>([\\s\\S]*?)</table>`).exec(html);
  expect(match, `the ${table} table`).not.toBeNull();
  return [...match![1]!.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) => textOf(row[1]!));
}

/** The text of the element carrying `attribute`. */
function figure(html: string, attribute: string): string {
  const match = new RegExp(`<(\\w+)[^>]*${attribute}[^>]*>([\\s\\S]*?)</\\1>`).exec(html);
  expect(match, attribute).not.toBeNull();
  return textOf(match![2]!);
}

/** Two decimals, negatives with a minus sign, as the pages show them. */
const share = (value: number) => value.toFixed(2).replace("-", "−");

const today = () => new Date().toISOString().slice(0, 10);

describe("the quality page and the overview", () => {
  let projectId: number;
  let leadCookie: string;
  let clientCookie: string;

  beforeAll(async () => {
    projectId = await createProject(
      cast,
      { overlap: 2, template: verdictTemplate, settings: baseSettings },
      { withJunior: true },
    );
    let ids = await importItems(projectId, [
      { externalId: "i1" },
      { externalId: "i2" },
      { externalId: "i3" },
      { externalId: "g1", gold: { verdict: "unsafe" } },
    ]);
    for (const [item, adaSays, benSays] of [
      ["i1", "safe", "safe"],
      ["i2", "unsafe", "unsafe"],
      ["i3", "safe", "unsafe"],
      ["g1", "unsafe", "safe"],
    ] as const) {
      await label(ada, projectId, ids.get(item)!, adaSays);
      await label(ben, projectId, ids.get(item)!, benSays);
    }
    ids = await importItems(projectId, [{ externalId: "i4" }]);
    await label(ada, projectId, ids.get("i4")!, "safe");
    const measured = await server.context.db
      .selectFrom("annotations")
      .select("active_ms")
      .where("item_id", "in", [...ids.values()])
      .execute();
    expect(measured.map((row) => row.active_ms)).toEqual(Array(9).fill(IDLE_THRESHOLD_MS));
    [leadCookie, clientCookie] = await Promise.all([
      signInCookie(server.url, cast.lead.email, PASSWORD),
      signInCookie(server.url, cast.client.email, PASSWORD),
    ]);
  });

  it("shows the lead agreement per field with its interval, kappas and metric in words", async () => {
    const html = await page(leadCookie, `/projects/${projectId}/quality`);
    const agreement = await cast.lead.api.get<{
      quality: { agreement: Array<{ alphaCi: [number, number] }> };
    }>(`/projects/${projectId}/quality`);
    const [lower, upper] = agreement.body.quality.agreement[0]!.alphaCi;
    const row = figure(html, 'data-field="verdict"');
    expect(row).toBe(
      `Verdict Krippendorff's alpha, nominal level 3 ` +
        `0.44 (${share(lower)}–${share(upper)}) 0.33 low`,
    );
    expect(lower).toBeLessThan(0.44);
    expect(upper).toBeGreaterThan(0.44);
    const pairs = textOf(/<details class="figure-pairs">([\s\S]*?)<\/details>/.exec(html)![1]!);
    expect(pairs).toContain("Cohen's κ for Verdict: 1 pair of annotators");
    expect(pairs).toMatch(new RegExp(`(${ADA} and ${BEN}|${BEN} and ${ADA}) 3 0\\.40`));
    expect(textOf(html)).not.toMatch(/NaN|null|undefined/);
  });

  it("shows the lead each annotator's time, cost, accuracy, reliability and cost per correct answer", async () => {
    const html = await page(leadCookie, `/projects/${projectId}/quality`);
    const rows = tableRows(html, "annotators");
    expect(rows[0]).toBe(
      "Annotator Labels Active time Cost Accuracy vs final Gold accuracy Reliability " +
        "Cost per correct answer",
    );
    // Wilson's interval: 2 of 2 → (0.34–1.00); 1 of 1 → (0.21–1.00); 0 of 1 → (0.00–0.79).
    const reliability = await cast.lead.api.get<{
      quality: {
        annotators: Array<{ annotator: { name: string }; reliability: { value: number } }>;
      };
    }>(`/projects/${projectId}/quality`);
    const reliabilityOf = (name: string) =>
      reliability.body.quality.annotators
        .find((entry) => entry.annotator.name === name)!
        .reliability.value.toFixed(2);
    expect(rows).toContain(
      `${ADA} expert · medical 5 10 min $10.00 1.00 (0.34–1.00) 2 of 2 ` +
        `1.00 (0.21–1.00) 1 of 1 ${reliabilityOf(ADA)} $2.00`,
    );
    expect(rows).toContain(
      `${BEN} junior · medical 4 8 min $2.00 1.00 (0.34–1.00) 2 of 2 ` +
        `0.00 (0.00–0.79) 0 of 1 ${reliabilityOf(BEN)} $0.75`,
    );
  });

  it("draws each annotator's reliability matrix, its rows adding up to 100 %", async () => {
    const html = await page(leadCookie, `/projects/${projectId}/quality`);
    const tables = [
      ...html.matchAll(/<table[^>]*data-figure="confusion"[^>]*>([\s\S]*?)<\/table>/g),
    ].map((match) => match[1]!);
    expect(tables).toHaveLength(2);
    for (const table of tables) {
      const caption = textOf(/<caption>([\s\S]*?)<\/caption>/.exec(table)![1]!);
      expect(caption).toMatch(
        new RegExp(`^(${ADA}|${BEN}): \\d+% expected right over \\d+ labels$`),
      );
      const rows = [...table.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) => textOf(row[1]!));
      expect(rows[0]).toBe("Right answer ↓ · said → safe unsafe");
      for (const row of rows.slice(1)) {
        const shares = [...row.matchAll(/(\d+)%/g)].map((share) => Number(share[1]));
        expect(shares).toHaveLength(2);
        expect(Math.abs(shares[0]! + shares[1]! - 100)).toBeLessThanOrEqual(1);
      }
    }
  });

  it("groups the lead's figures by level and domain and says whether experts are cheaper", async () => {
    const html = await page(leadCookie, `/projects/${projectId}/quality`);
    expect(figure(html, 'data-figure="level-comparison"')).toBe(
      "Experts: $2.00 per correct answer; juniors: $0.75. Here juniors are cheaper per unit of quality.",
    );
    const byLevel = tableRows(html, "by-level");
    expect(byLevel.slice(1).map((row) => row.split(" $")[0])).toEqual([
      "Experts 1 5 10 min",
      "Juniors 1 4 8 min",
    ]);
    expect(byLevel[1]).toMatch(/ \$2\.00$/);
    expect(byLevel[2]).toMatch(/ \$0\.75$/);
    // Both are in the medical domain: 9 labels, $12.00, 7.50 / 5 correct answers.
    expect(tableRows(html, "by-domain").slice(1)).toEqual([
      expect.stringMatching(
        /^medical 2 9 18 min \$12\.00 1\.00 \(0\.51–1\.00\) 4 of 4 .* \$1\.50$/,
      ),
    ]);
  });

  it("shows the lead the pace, the finish estimate, costs and agreement on the overview", async () => {
    const html = await page(leadCookie, `/projects/${projectId}`);
    const rows = tableRows(html, "throughput");
    expect(rows[0]).toBe("Day (UTC) Labels submitted Versions published");
    expect(rows).toHaveLength(31);
    // Today: the 7 labels of items that are not gold; nothing published.
    expect(html).toMatch(new RegExp(`<tr data-day="${today()}">`));
    expect(rows[30]).toMatch(/ 7 0$/);
    expect(rows.slice(1, 30).every((row) => row.endsWith(" 0 0"))).toBe(true);
    expect(html).toMatch(/role="img" aria-label="Labels submitted and versions published per day/);
    // i4 needs one more label; 7 labels in the last 7 days is 1.0 a day.
    expect(figure(html, 'data-figure="eta"')).toMatch(
      /^1 label still needed at 1\.0 a day \(the last 7 days' mean\): about 1 day, around /,
    );
    expect(figure(html, 'data-figure="cost"')).toBe("$12.00");
    expect(figure(html, 'data-figure="cost-per-published-item"')).toBe("no data yet");
    const quality = await cast.lead.api.get<{
      quality: { agreement: Array<{ alphaCi: [number, number] }> };
    }>(`/projects/${projectId}/quality`);
    const [lower, upper] = quality.body.quality.agreement[0]!.alphaCi;
    expect(figure(html, 'data-field="verdict"')).toBe(`α 0.44 (${share(lower)}–${share(upper)})`);
  });

  it("shows annotators no dashboard on the overview", async () => {
    const annotatorCookie = await signInCookie(server.url, ada.email, PASSWORD);
    const html = await page(annotatorCookie, `/projects/${projectId}`);
    expect(html).toContain('<h2 id="progress-heading">Progress</h2>');
    for (const hidden of ['data-table="throughput"', 'data-figure="eta"', "Agreement", "Cost"]) {
      expect(html).not.toContain(hidden);
    }
    expect(html).not.toMatch(/\$\d/);
  });

  it("shows a pseudonymised client no person and no cost, until the project shows costs", async () => {
    for (const path of [`/projects/${projectId}/quality`, `/projects/${projectId}`]) {
      const html = await page(clientCookie, path);
      // Not in the text, nor in the page's data.
      for (const secret of [ADA, BEN, ada.email, ben.email, "medical", "costCents", "Cost"]) {
        expect(html, `${path}: ${secret}`).not.toContain(secret);
      }
      expect(html, path).not.toMatch(/\$\d/);
    }
    const quality = await page(clientCookie, `/projects/${projectId}/quality`);
    expect(quality).not.toContain('data-table="by-level"');
    expect(quality).not.toContain('data-figure="level-comparison"');
    const rows = tableRows(quality, "annotators").slice(1);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row).toMatch(/^Annotator [A-Z] [45] (8|10) min /);
    expect(figure(quality, 'data-field="verdict"')).toMatch(/^Verdict .* 0\.44 /);

    const shown = await cast.lead.api.patch(`/projects/${projectId}`, {
      settings: { ...baseSettings, showCostsToClients: true },
    });
    expect(shown.status, JSON.stringify(shown.body)).toBe(200);
    const withCosts = await page(clientCookie, `/projects/${projectId}/quality`);
    expect(textOf(withCosts)).toContain("Cost to date $12.00");
    expect(textOf(withCosts)).toContain("Cost per correct answer $1.50");
    // Still no person's cost: next to their time it would give their rate away.
    expect(tableRows(withCosts, "annotators")[0]).not.toContain("Cost");
    for (const personal of ["$10.00", "$2.00", "$0.75"]) expect(withCosts).not.toContain(personal);
    const overview = await page(clientCookie, `/projects/${projectId}`);
    expect(figure(overview, 'data-figure="cost"')).toBe("$12.00");
    for (const secret of [ADA, BEN, ada.email, ben.email]) expect(overview).not.toContain(secret);
  });
});

describe("labels and versions per day", () => {
  /**
   * Overlap 2, consensus published automatically; now is 20 Jan 2026, 10:00 UTC, so the series
   * runs from 22 Dec 2025 and the recent rate counts from 13 Jan, 10:00.
   *
   *   Ada a1  20 Jan 09:00          today, recent
   *   Ben a1  19 Jan 23:59:59.999   19 Jan, recent
   *   Ada a2  19 Jan 00:00          19 Jan, recent
   *   Ben a2  13 Jan 09:59          13 Jan, not recent (before 10:00)
   *   Ada a3  21 Dec 23:59:59       before the series
   *   Ada g1  18 Jan                gold: left out
   *   Ben a5  18 Jan                imported: left out
   *   a1, a2 v1 published automatically at the test's real time, after 20 Jan: left out
   *   a1 v2 20 Jan · a2 v2 and v3 15 Jan · a1 v3 21 Dec, before the series: left out
   *
   * Left to label: a3 1, a4 2, a5 1 → 4, at 3 labels per 7 days: 28/3 days, 9.33 days after
   * now: 29 Jan 2026.
   */
  const NOW = new Date("2026-01-20T10:00:00Z");

  it("counts each UTC day's labels and versions, leaving out gold items and imports", async () => {
    const projectId = await createProject(
      cast,
      {
        overlap: 2,
        template: verdictTemplate,
        autoPublishConsensus: true,
        settings: baseSettings,
      },
      { withJunior: true },
    );
    let ids = await importItems(projectId, [
      { externalId: "a1" },
      { externalId: "a2" },
      { externalId: "a3" },
      { externalId: "g1", gold: { verdict: "safe" } },
    ]);
    await label(ada, projectId, ids.get("a1")!, "safe");
    await label(ben, projectId, ids.get("a1")!, "safe");
    await label(ada, projectId, ids.get("a2")!, "safe");
    await label(ben, projectId, ids.get("a2")!, "safe");
    await label(ada, projectId, ids.get("a3")!, "safe");
    await label(ada, projectId, ids.get("g1")!, "safe");
    ids = await importItems(projectId, [
      { externalId: "a4" },
      {
        externalId: "a5",
        annotations: [
          { annotator: ben.email, label: { verdict: "safe" }, submittedAt: "2026-01-18T12:00:00Z" },
        ],
      },
    ]);
    const { db } = server.context;
    const submittedAt: Array<[Person, string, string]> = [
      [ada, "a1", "2026-01-20T09:00:00Z"],
      [ben, "a1", "2026-01-19T23:59:59.999Z"],
      [ada, "a2", "2026-01-19T00:00:00Z"],
      [ben, "a2", "2026-01-13T09:59:00Z"],
      [ada, "a3", "2025-12-21T23:59:59Z"],
      [ada, "g1", "2026-01-18T12:00:00Z"],
    ];
    for (const [person, item, at] of submittedAt) {
      const updated = await db
        .updateTable("annotations")
        .set({ submitted_at: new Date(at) })
        .where("item_id", "=", ids.get(item)!)
        .where("user_id", "=", person.id)
        .executeTakeFirst();
      expect(updated.numUpdatedRows).toBe(1n);
    }
    // Versions are immutable: those published automatically just now fall after 20 Jan, and these
    // come on top, one republished the same day and one from before the series.
    const versions: Array<[string, number, string]> = [
      ["a1", 2, "2026-01-20T09:30:00Z"],
      ["a2", 2, "2026-01-15T08:00:00Z"],
      ["a2", 3, "2026-01-15T20:00:00Z"],
      ["a1", 3, "2025-12-21T12:00:00Z"],
    ];
    await db
      .insertInto("adjudications")
      .values(
        versions.map(([item, version, at]) => ({
          item_id: ids.get(item)!,
          version,
          label: JSON.stringify({ verdict: "safe" }),
          published_at: new Date(at),
        })),
      )
      .execute();

    const lead = await db
      .selectFrom("users")
      .selectAll()
      .where("id", "=", cast.lead.id)
      .executeTakeFirstOrThrow();
    const throughput = await projectThroughput(db, lead, projectId, NOW);
    expect(throughput.days).toHaveLength(30);
    expect(throughput.days[0]!.day).toBe("2025-12-22");
    expect(throughput.days[29]!.day).toBe("2026-01-20");
    expect(throughput.days.filter((day) => day.labels > 0 || day.published > 0)).toEqual([
      { day: "2026-01-13", labels: 1, published: 0 },
      { day: "2026-01-15", labels: 0, published: 2 },
      { day: "2026-01-19", labels: 2, published: 0 },
      { day: "2026-01-20", labels: 1, published: 1 },
    ]);
    expect(throughput.recent).toEqual({ labels: 3, perDay: 3 / 7 });
    expect(throughput.remainingLabels).toBe(4);
    expect(throughput.eta).toMatchObject({ finishesOn: "2026-01-29", reason: null });
    expect(throughput.eta.days).toBeCloseTo(28 / 3, 12);

    // A week later nothing is recent: no rate, no estimate.
    const later = await projectThroughput(db, lead, projectId, new Date("2026-01-28T10:00:00Z"));
    expect(later.eta).toEqual({ days: null, finishesOn: null, reason: "no-recent-labels" });
    // Annotators may not see it (the progress is for leads and clients).
    const annotator = await db
      .selectFrom("users")
      .selectAll()
      .where("id", "=", ada.id)
      .executeTakeFirstOrThrow();
    await expect(projectThroughput(db, annotator, projectId, NOW)).rejects.toMatchObject({
      status: 403,
    });
  });

  it("has no estimate for a project without items, and none needed once every label is in", async () => {
    const projectId = await createProject(cast, { overlap: 1, template: verdictTemplate });
    const lead = await server.context.db
      .selectFrom("users")
      .selectAll()
      .where("id", "=", cast.lead.id)
      .executeTakeFirstOrThrow();
    expect((await projectThroughput(server.context.db, lead, projectId)).eta).toEqual({
      days: null,
      finishesOn: null,
      reason: "no-items",
    });
    const ids = await importItems(projectId, [{ externalId: "only" }]);
    await label(cast.experts[1], projectId, ids.get("only")!, "safe");
    const done = await projectThroughput(server.context.db, lead, projectId);
    expect(done.remainingLabels).toBe(0);
    expect(done.eta).toMatchObject({ days: 0, reason: null });
    expect(done.days.at(-1)).toEqual({ day: today(), labels: 1, published: 0 });
  });
});
