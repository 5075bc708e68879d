import { get, type IncomingMessage } from "node:http";
import { setTimeout as delay } from "node:timers/promises";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareExport } from "../../server/services/export.ts";
import { findUserByEmail } from "../../server/services/users.ts";
import { createCast, createProject, responses, type Cast } from "../setup/adjudication.ts";
import { apiClient, expectApiError } from "../setup/api-client.ts";
import { holdInTransaction, holdTable, type HeldLock } from "../setup/row-lock.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";

/**
 * An export is one snapshot of the project, whatever is written while it runs; it reads that
 * snapshot at the database's pace, not its client's; and a user may run only so many at once.
 */

const maxExportsPerUser = 2;

let server: TestServer;
let cast: Cast;

beforeAll(async () => {
  server = await startTestServer({
    EXPORT_MAX_CONCURRENT_PER_USER: String(maxExportsPerUser),
  });
  cast = await createCast(server);
});

afterAll(async () => {
  await server?.stop();
});

const onPostgres = () => server.context.dbKind === "postgres";

/**
 * Makes an export's reads of version_flags wait, on PostgreSQL, by holding the table in a
 * transaction of its own until `release`; writes that do not touch the table go on. Every
 * export reads it with its first page, after its snapshot is taken.
 */
function holdVersionFlags(): Promise<HeldLock> {
  return holdTable(server.context.db, "version_flags");
}

/** Holds PGlite's one connection until `release`: every query waits behind it, in order. */
function holdEmbeddedDatabase(): Promise<HeldLock> {
  return holdInTransaction(server.context.db, (trx) => sql`select 1`.execute(trx));
}

async function importItems(projectId: number, items: unknown[]): Promise<void> {
  const imported = await cast.lead.api.post(`/projects/${projectId}/items`, items);
  expect(imported.status, JSON.stringify(imported.body)).toBe(201);
}

const verdictTemplate = {
  fields: [{ id: "verdict", type: "choice", label: "Verdict", options: ["safe", "unsafe"] }],
};

describe("an export is one snapshot", { timeout: 180_000 }, () => {
  it("shows every item as it was when it began, across pages, though a bulk publish commits meanwhile", async () => {
    const projectId = await createProject(cast, { overlap: 1, template: verdictTemplate });
    // Pages hold about 4 MB of content: 30 prompts of 190,000 characters make two of them.
    // Without a snapshot, the page read after the publish had its items published while the
    // one before still had them as consensus.
    const count = 30;
    await importItems(
      projectId,
      Array.from({ length: count }, (_, index) => ({
        externalId: `item-${String(index).padStart(2, "0")}`,
        prompt: `${index} ${"x".repeat(190_000)}`,
        responses: [{ id: "a", text: "Yes." }],
        annotations: [{ annotator: cast.experts[0].email, label: { verdict: "safe" } }],
      })),
    );

    const prepared = await prepareExport(server.context.db, null, projectId, { format: "jsonl" });
    const chunks = prepared.chunks();
    const first = await chunks.next();
    expect(first.done).toBe(false);
    const published = await cast.lead.api.post<{ published: number }>(
      `/projects/${projectId}/publish-consensus`,
      {},
    );
    expect(published.body.published, JSON.stringify(published.body)).toBe(count);
    const text = [first.value as string];
    for await (const chunk of chunks) text.push(chunk);

    const records = text.map(
      (chunk) => JSON.parse(chunk) as { externalId: string; source: string },
    );
    expect(records.map((record) => record.externalId)).toEqual(
      Array.from({ length: count }, (_, index) => `item-${String(index).padStart(2, "0")}`),
    );
    expect(
      records.filter((record) => record.source !== "consensus").map((record) => record.externalId),
      "items published after the export began",
    ).toEqual([]);
  });

  it("names every annotator as of the moment its labels are read, even as a new one joins and labels", async () => {
    const projectId = await createProject(cast, { overlap: 3 });
    const agreeing = { preference: -2, accuracy: 4, errors: [] };
    await importItems(projectId, [
      {
        externalId: "settled",
        prompt: "Warfarin with an antibiotic?",
        responses,
        annotations: cast.experts.map((expert) => ({ annotator: expert.email, label: agreeing })),
      },
      {
        externalId: "late",
        prompt: "Warfarin with aspirin?",
        responses,
        annotations: cast.experts
          .slice(0, 2)
          .map((expert) => ({ annotator: expert.email, label: agreeing })),
      },
    ]);
    const newcomer = await server.createUserWithToken({
      email: "newcomer@example.test",
      level: "expert",
      domains: ["medical"],
    });
    const client = await findUserByEmail(server.context.db, cast.client.email);

    // On PostgreSQL the export stops at its first page, after its snapshot and the pseudonyms
    // are read, until the newcomer's label is stored; on PGlite the label waits for the export.
    const hold = onPostgres() ? await holdVersionFlags() : null;
    let text = "";
    try {
      const prepared = await prepareExport(server.context.db, client!, projectId, {
        format: "label-studio",
      });
      const chunks = prepared.chunks();
      const first = await chunks.next();
      expect(first.value).toBe("[");
      text = first.value as string;

      const joined = await cast.admin.api.post(`/projects/${projectId}/members`, {
        email: "newcomer@example.test",
        role: "annotator",
      });
      expect(joined.status, JSON.stringify(joined.body)).toBe(201);
      const newcomerApi = apiClient(server.url, newcomer.token);
      const next = await newcomerApi.get<{ assignment: { itemId: number } | null }>(
        `/queue/next?project=${projectId}`,
      );
      expect(next.body.assignment, JSON.stringify(next.body)).not.toBeNull();
      const submitted = await newcomerApi.post(
        `/items/${next.body.assignment!.itemId}/annotations`,
        { label: agreeing },
      );
      expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
      await hold?.release();

      for await (const chunk of chunks) text += chunk;
    } finally {
      await hold?.release();
    }

    const tasks = JSON.parse(text) as Array<{
      data: { externalId: string };
      annotations: Array<{ created_username?: string; ground_truth?: boolean }>;
    }>;
    const names = tasks.flatMap((task) =>
      task.annotations
        .filter((annotation) => annotation.ground_truth !== true)
        .map((annotation) => `${task.data.externalId}: ${annotation.created_username}`),
    );
    // The state before the label: "late" still being labelled, so not exported. After it,
    // "late" would carry the newcomer's own pseudonym; never the name of someone unknown.
    expect(names).toEqual(["settled: Annotator A", "settled: Annotator B", "settled: Annotator C"]);
  });
});

describe("an export and its client", { timeout: 180_000 }, () => {
  it("reads its snapshot whole while the client does not read, and holds no transaction for it", async () => {
    const projectId = await createProject(cast, {
      overlap: 1,
      template: { fields: [{ id: "order", type: "ranking", label: "Order" }] },
    });
    // A ranking of 20 responses gives 190 pairs, each repeating the 60,000-character prompt:
    // 11 MB of dpo an item, 70 MB in all, more than the sockets' buffers on both sides (up to
    // 32 MB on Linux) and the spool's memory hold.
    const many = Array.from({ length: 20 }, (_, index) => ({ id: `r${index}`, text: `${index}` }));
    const externalIds = Array.from({ length: 6 }, (_, index) => `long-${index}`);
    await importItems(
      projectId,
      externalIds.map((externalId) => ({
        externalId,
        prompt: `${externalId} ${"context ".repeat(7_500)}`,
        responses: many,
        annotations: [
          {
            annotator: cast.experts[0].email,
            label: { order: many.map((response) => response.id) },
          },
        ],
      })),
    );

    // A client that takes the headers and then reads nothing: once the socket's buffers are
    // full, the server cannot write more to it.
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      get(
        `${server.url}/api/v1/projects/${projectId}/export?format=dpo`,
        { headers: { Authorization: `Bearer ${cast.lead.token}` } },
        (message) => {
          message.pause();
          resolve(message);
        },
      ).on("error", reject);
    });
    expect(response.statusCode).toBe(200);
    // The body is not read yet: the database must still answer others, and on PostgreSQL no
    // transaction may stay open waiting for this client.
    const me = await Promise.race([
      cast.lead.api.get("/me"),
      delay(30_000).then(() => ({ status: 0 })),
    ]);
    expect(me.status, "another request while the client does not read").toBe(200);
    if (onPostgres()) {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const open = await sql<{ count: number }>`
          select count(*)::int as count from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid()
            and state in ('idle in transaction', 'idle in transaction (aborted)')`.execute(
          server.context.db,
        );
        if (open.rows[0]!.count === 0) break;
        expect(Date.now(), "no transaction idles while the client does not read").toBeLessThan(
          deadline,
        );
        await delay(100);
      }
    }

    response.setEncoding("utf8");
    let body = "";
    for await (const chunk of response) body += chunk as string;
    const ids = body
      .trimEnd()
      .split("\n")
      .map((line) => (JSON.parse(line) as { externalId: string }).externalId);
    expect(ids).toEqual(externalIds.flatMap((id) => Array<string>(190).fill(id)));
  });
});

describe("exports at once per user", { timeout: 120_000 }, () => {
  it(`admits ${maxExportsPerUser} of a user's parallel exports and answers the rest 429 with Retry-After`, async () => {
    const projectId = await createProject(cast, { overlap: 1, template: verdictTemplate });
    await importItems(projectId, [
      {
        externalId: "only",
        prompt: "Safe?",
        responses: [{ id: "a", text: "Yes." }],
        annotations: [{ annotator: cast.experts[0].email, label: { verdict: "safe" } }],
      },
    ]);
    const exportAs = (token: string) =>
      fetch(`${server.url}/api/v1/projects/${projectId}/export`, {
        headers: { Authorization: `Bearer ${token}` },
      }).then(async (response) => ({
        status: response.status,
        retryAfter: response.headers.get("retry-after"),
        text: await response.text(),
      }));

    // The admitted exports are held in the database until every request has been answered
    // or counted, so that none ends and frees its place early.
    let arrived = 0;
    const countArrivals = (request: { url?: string }) => {
      if (request.url?.includes("/export")) arrived++;
    };
    server.httpServer.on("request", countArrivals);
    const hold = onPostgres() ? await holdVersionFlags() : await holdEmbeddedDatabase();
    let settled = 0;
    const track = <T>(promise: Promise<T>) =>
      promise.finally(() => {
        settled++;
      });
    try {
      const leads = Array.from({ length: 10 }, () => track(exportAs(cast.lead.token)));
      // Another user's exports count apart.
      const clients = Array.from({ length: 2 }, () => track(exportAs(cast.client.token)));
      const refusals = 10 - maxExportsPerUser;
      const deadline = Date.now() + 30_000;
      // On PostgreSQL the refusals come back while the admitted exports wait for the table; on
      // PGlite every request waits for the connection, in the order they came.
      while (onPostgres() ? settled < refusals : arrived < 12) {
        expect(Date.now(), "requests to arrive or be refused").toBeLessThan(deadline);
        await delay(20);
      }
      if (!onPostgres()) await delay(200);
      await hold.release();

      const answered = await Promise.all(leads);
      const statuses = answered.map((answer) => answer.status).sort();
      expect(statuses).toEqual([
        ...Array<number>(maxExportsPerUser).fill(200),
        ...Array<number>(refusals).fill(429),
      ]);
      for (const refused of answered.filter((answer) => answer.status === 429)) {
        expect(refused.retryAfter).toBe("5");
        expectApiError(
          { status: refused.status, body: JSON.parse(refused.text) },
          429,
          "rate_limited",
        );
      }
      for (const admitted of answered.filter((answer) => answer.status === 200)) {
        expect(JSON.parse(admitted.text)).toMatchObject({ externalId: "only" });
      }
      expect((await Promise.all(clients)).map((answer) => answer.status)).toEqual([200, 200]);
    } finally {
      server.httpServer.off("request", countArrivals);
      await hold.release();
    }

    // Finished exports free their places.
    const again = await Promise.all(
      Array.from({ length: maxExportsPerUser }, () => exportAs(cast.lead.token)),
    );
    expect(again.map((answer) => answer.status)).toEqual(
      Array<number>(maxExportsPerUser).fill(200),
    );
  });
});
