import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../../server/errors.ts";
import { parseId } from "../../server/http/parse.ts";
import { MAX_ID } from "../../server/ids.ts";
import { withoutLinkTokens } from "../../server/index.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";

/** A server whose log lines the test reads, to hold it to what it logs and at which level. */
interface LoggedServer {
  server: TestServer;
  logs: Array<{ level: number; msg?: string } & Record<string, unknown>>;
}

const ERROR_LEVEL = 50;

async function startLoggedServer(environment: Record<string, string> = {}): Promise<LoggedServer> {
  const logs: LoggedServer["logs"] = [];
  const log = pino({ level: "info" }, { write: (line: string) => logs.push(JSON.parse(line)) });
  return { server: await startTestServer(environment, { log }), logs };
}

let main: LoggedServer;
let token: string;
let projectId: number;
let itemIds: number[];

beforeAll(async () => {
  main = await startLoggedServer();
  ({ token } = await main.server.createUserWithToken({
    email: "admin@example.test",
    name: "Admin",
    isAdmin: true,
  }));
  const project = await call("POST", "/projects", {
    name: "Hardening",
    template: {
      fields: [{ id: "preference", type: "preference", label: "Preference", scale: 2 }],
    },
  });
  expect(project.status, JSON.stringify(project.body)).toBe(201);
  projectId = (project.body as { project: { id: number } }).project.id;
  const imported = await call(
    "POST",
    `/projects/${projectId}/items`,
    [1, 2, 3].map((index) => ({
      externalId: `item-${index}`,
      prompt: `Question ${index}?`,
      responses: [
        { id: "a", text: "Yes." },
        { id: "b", text: "No." },
      ],
    })),
  );
  expect(imported.status, JSON.stringify(imported.body)).toBe(201);
  const listed = await call("GET", `/projects/${projectId}/items`);
  itemIds = (listed.body as { items: Array<{ id: number }> }).items.map((item) => item.id);
});

afterAll(async () => {
  await main?.server.stop();
});

/** A JSON API call as the admin. */
async function call(method: string, path: string, body?: unknown) {
  return send(method, path, {
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
  });
}

async function send(method: string, path: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set("Authorization", `Bearer ${token}`);
  const response = await fetch(`${main.server.url}/api/v1${path}`, { ...init, method, headers });
  const text = await response.text();
  return {
    status: response.status,
    body: (text ? JSON.parse(text) : null) as unknown,
  };
}

interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

function errorOf(response: { status: number; body: unknown }): ErrorBody["error"] {
  return (response.body as ErrorBody).error;
}

/** The documented details of a 400 or 422: a list of `{ field, message }`, nothing else. */
function expectFieldDetails(details: unknown): Array<{ field: string; message: string }> {
  expect(Array.isArray(details), JSON.stringify(details)).toBe(true);
  for (const detail of details as unknown[]) {
    expect(Object.keys(detail as object).sort()).toEqual(["field", "message"]);
    expect(typeof (detail as { field: unknown }).field).toBe("string");
    expect(typeof (detail as { message: unknown }).message).toBe("string");
  }
  return details as Array<{ field: string; message: string }>;
}

function errorLogs() {
  return main.logs.filter((line) => line.level >= ERROR_LEVEL);
}

const canonicalId = (value: string) => /^[1-9][0-9]{0,9}$/.test(value) && Number(value) <= MAX_ID;

/** Strings near the id rule's edges, and any strings at all. */
const idLike = fc.oneof(
  fc.string({ minLength: 1, maxLength: 12 }),
  fc.stringMatching(/^[+\- 0]?[0-9]{1,11}(\.0|e0)?$/),
  fc.bigInt({ min: -5n, max: 99_999_999_999n }).map(String),
  fc.constantFrom("0x1", "1e0", " 1", "1 ", "1.0", "01", "+1", "2147483647", "2147483648", "0"),
);

describe("ids in paths (canonical positive int4 only)", () => {
  it("parseId accepts exactly the canonical decimal ids up to 2147483647", () => {
    fc.assert(
      fc.property(idLike, (value) => {
        let accepted: number | null = null;
        try {
          accepted = parseId(value, "Id");
        } catch (error) {
          expect(error).toBeInstanceOf(AppError);
          expect((error as AppError).code).toBe("bad_request");
        }
        expect(accepted !== null).toBe(canonicalId(value));
        if (accepted !== null) expect(String(accepted)).toBe(value);
      }),
      { numRuns: 2_000 },
    );
  });

  it("answers a lenient spelling of an id with 400, never another project", async () => {
    for (const spelling of ["0x1", "1e0", "%201", "1.0", "01", "+1", "2147483648"]) {
      const response = await send("GET", `/projects/${spelling}`);
      expect(response.status, spelling).toBe(400);
      expect(errorOf(response).code).toBe("bad_request");
    }
    expect((await send("GET", `/projects/${projectId}`)).status).toBe(200);
    expect((await send("GET", "/projects/2147483647")).status).toBe(404);
  });

  it("answers any path id with 400 exactly when it is not canonical, and never 500", async () => {
    await fc.assert(
      fc.asyncProperty(
        idLike.filter((value) => value !== "." && value !== ".."),
        async (value) => {
          const response = await send("GET", `/projects/${encodeURIComponent(value)}`);
          expect(response.status, value).not.toBe(500);
          expect(response.status === 400, value).toBe(!canonicalId(value));
        },
      ),
      { numRuns: 150 },
    );
  });
});

/** `YYYY-MM-DD` of any year 0000 to 9999. */
const anyDate = fc
  .record({
    year: fc.integer({ min: 0, max: 9999 }),
    day: fc.integer({ min: 0, max: 364 }),
  })
  .map(({ year, day }) => {
    const date = new Date(Date.UTC(2001, 0, 1 + day));
    const monthDay = date.toISOString().slice(4, 10);
    return `${String(year).padStart(4, "0")}${monthDay}`;
  });

/** A time-ordered list's cursor: the base64url JSON of a timestamp and an id. */
function timeCursor(at: string, id: number): string {
  return Buffer.from(JSON.stringify([at, id])).toString("base64url");
}

describe("item search parameters (bounded to what the database holds)", () => {
  const items = (query: string) => send("GET", `/projects/${projectId}/items${query}`);

  it("refuses the reviewer's parameters with 400 and the documented details", async () => {
    for (const query of [
      "?from=0000-01-01",
      "?to=0000-01-01",
      "?annotator=2147483648",
      "?annotator=0x1",
      "?cursor=2147483648",
      "?cursor=12345678901234567890",
      `?sort=created&cursor=${timeCursor("0000-01-01T00:00:00Z", 1)}`,
      `?sort=created&cursor=${timeCursor("2026-01-01T00:00:00Z", 9999999999)}`,
      `?sort=created&cursor=${timeCursor("0000-01-01T00:00:00.000000Z", 1)}`,
      `?sort=-updated&cursor=${timeCursor("2026-01-01T00:00:00.000000Z", 2147483648)}`,
      "?limit=abc",
    ]) {
      const response = await items(query);
      expect(response.status, query).toBe(400);
      const error = errorOf(response);
      expect(error.code).toBe("bad_request");
      if (error.details !== undefined) expectFieldDetails(error.details);
    }
    const limit = errorOf(await items("?limit=abc"));
    expect(expectFieldDetails(limit.details).map((detail) => detail.field)).toEqual(["limit"]);
    const from = errorOf(await items("?from=0000-01-01"));
    expect(expectFieldDetails(from.details).map((detail) => detail.field)).toEqual(["from"]);
    expect(errorLogs()).toEqual([]);
  });

  it("still pages through the list by time with the cursors it writes", async () => {
    const walked: number[] = [];
    let cursor: string | null = null;
    do {
      const page = await items(
        `?sort=-created&limit=1${cursor === null ? "" : `&cursor=${cursor}`}`,
      );
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      const body = page.body as { items: Array<{ id: number }>; nextCursor: string | null };
      walked.push(...body.items.map((item) => item.id));
      cursor = body.nextCursor;
    } while (cursor !== null);
    expect([...walked].sort((a, b) => a - b)).toEqual([...itemIds].sort((a, b) => a - b));
  });

  it("answers any annotator, date or cursor with 200 or 400 as the rule says, never 500", async () => {
    const parameter = fc.oneof(
      idLike.map((value) => ({
        query: `annotator=${encodeURIComponent(value)}`,
        ok: canonicalId(value),
      })),
      anyDate.map((date) => ({ query: `from=${date}`, ok: !date.startsWith("0000") })),
      anyDate.map((date) => ({ query: `to=${date}`, ok: !date.startsWith("0000") })),
      idLike.map((value) => ({
        query: `cursor=${encodeURIComponent(value)}`,
        ok: canonicalId(value),
      })),
      fc
        .record({
          date: anyDate,
          time: fc.integer({ min: 0, max: 86_399_999_999 }),
          id: fc.oneof(
            fc.integer({ min: -2, max: 10 }),
            fc.integer({ min: MAX_ID - 2, max: MAX_ID + 2 }),
            fc.double({ min: 0, max: 1e12, noNaN: true }),
          ),
          sort: fc.constantFrom("created", "-created", "updated", "-updated"),
        })
        .map(({ date, time, id, sort }) => {
          const at = `${date}T${new Date(time / 1000).toISOString().slice(11, 19)}.${String(time % 1_000_000).padStart(6, "0")}Z`;
          return {
            query: `sort=${sort}&cursor=${timeCursor(at, id)}`,
            ok: !date.startsWith("0000") && Number.isInteger(id) && id >= 1 && id <= MAX_ID,
          };
        }),
    );
    await fc.assert(
      fc.asyncProperty(parameter, async ({ query, ok }) => {
        const response = await items(`?${query}`);
        expect(response.status, query).toBe(ok ? 200 : 400);
        if (!ok) expect(errorOf(response).code).toBe("bad_request");
      }),
      { numRuns: 200 },
    );
    expect(errorLogs()).toEqual([]);
  });
});

describe("query errors carry the documented details", () => {
  it("names the export parameters in error as [{ field, message }], the formats in the message", async () => {
    const emptyField = await send("GET", `/projects/${projectId}/export?format=dpo&field=`);
    expect(emptyField.status).toBe(400);
    expect(expectFieldDetails(errorOf(emptyField).details).map((detail) => detail.field)).toEqual([
      "field",
    ]);
    const bogus = await send("GET", `/projects/${projectId}/export?format=bogus`);
    expect(bogus.status).toBe(400);
    const error = errorOf(bogus);
    expect(error.message).toMatch(/jsonl, dpo, reward/);
    expect(expectFieldDetails(error.details).map((detail) => detail.field)).toEqual(["format"]);
  });

  it("names the import parameters in error the same way", async () => {
    const importWith = (query: string) =>
      send("POST", `/projects/${projectId}/items${query}`, {
        body: "[]",
        headers: { "Content-Type": "application/json" },
      });
    const unmapped = await importWith("?format=label-studio&assignUnmapped=x");
    expect(unmapped.status).toBe(400);
    expect(expectFieldDetails(errorOf(unmapped).details)[0]?.field).toBe("assignUnmapped");
    const userMap = await importWith(
      `?format=label-studio&userMap=${encodeURIComponent('{"3": 7}')}`,
    );
    expect(userMap.status).toBe(400);
    expect(expectFieldDetails(errorOf(userMap).details)[0]?.field).toBe("3");
  });
});

describe("JSON request bodies", () => {
  const createToken = (body: BodyInit, headers: Record<string, string>) =>
    send("POST", "/tokens", { body, headers });

  async function tokenCount(): Promise<number> {
    const { count } = await main.server.context.db
      .selectFrom("api_tokens")
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .executeTakeFirstOrThrow();
    return Number(count);
  }

  it("answers a body that claims gzip or deflate but is not with 400, logged below error", async () => {
    for (const encoding of ["gzip", "deflate"]) {
      const response = await createToken('{"name":"x"}', {
        "Content-Type": "application/json",
        "Content-Encoding": encoding,
      });
      expect(response.status, encoding).toBe(400);
      expect(errorOf(response).code).toBe("bad_request");
      expect(errorOf(response).message).toMatch(/could not be unpacked/);
    }
    const gzipped = await createToken(gzipSync('{"name":"packed"}'), {
      "Content-Type": "application/json",
      "Content-Encoding": "gzip",
    });
    expect(gzipped.status, JSON.stringify(gzipped.body)).toBe(201);
    expect(errorLogs()).toEqual([]);
  });

  it("refuses a body that is not UTF-8 with 400 and stores nothing", async () => {
    const before = await tokenCount();
    const bytes = Buffer.concat([
      Buffer.from('{"name":"a'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('b"}'),
    ]);
    const response = await createToken(bytes, { "Content-Type": "application/json" });
    expect(response.status).toBe(400);
    expect(errorOf(response).code).toBe("bad_request");
    expect(errorOf(response).message).toMatch(/UTF-8/);
    const utf16 = await createToken(Buffer.from('{"name":"x"}', "utf16le"), {
      "Content-Type": "application/json; charset=utf-16le",
    });
    expect(utf16.status).toBe(415);
    expect(await tokenCount()).toBe(before);
    const accented = await createToken(Buffer.from('{"name":"née ✓"}'), {
      "Content-Type": "application/json; charset=utf-8",
    });
    expect(accented.status).toBe(201);
    expect((accented.body as { name: string }).name).toBe("née ✓");
  });

  it("lets through to the JSON parser exactly the types it reads (415 for the others)", async () => {
    for (const type of ["application/x-ndjson", "application/vnd.api+json", "text/plain"]) {
      const response = await createToken('{"name":"typed"}', { "Content-Type": type });
      expect(response.status, type).toBe(415);
      expect(errorOf(response).code).toBe("unsupported_media_type");
    }
    // Imports read their own types, NDJSON among them.
    const imported = await send("POST", `/projects/${projectId}/items`, {
      headers: { "Content-Type": "application/x-ndjson" },
      body: JSON.stringify({
        externalId: "ndjson-1",
        prompt: "Through NDJSON?",
        responses: [
          { id: "a", text: "Yes." },
          { id: "b", text: "No." },
        ],
      }),
    });
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
  });
});

describe("cross-origin form posts to pages", () => {
  const post = (server: TestServer, path: string, headers: Record<string, string>) =>
    fetch(`${server.url}${path}`, {
      method: "POST",
      body: new URLSearchParams({ email: "nobody@example.test", password: "wrong password" }),
      headers,
      redirect: "manual",
    });

  it("answers 403 with a short message, logged below error", async () => {
    for (const path of ["/login", "/logout", "/settings", "/invite/some-token"]) {
      for (const origin of ["https://attacker.example", "null"]) {
        const response = await post(main.server, path, { Origin: origin });
        expect(response.status, `${path} ${origin}`).toBe(403);
        expect(await response.text()).toBe("Cross-origin request refused");
      }
    }
    expect(errorLogs()).toEqual([]);
  });

  it("still takes the app's own form posts, whatever X-Forwarded-Host an untrusted client sends", async () => {
    const cases: Array<Record<string, string>> = [
      { Origin: main.server.url },
      { Origin: main.server.url, "X-Forwarded-Host": "attacker.example" },
      {},
    ];
    for (const headers of cases) {
      const response = await post(main.server, "/login", headers);
      await response.arrayBuffer();
      expect(response.status, JSON.stringify(headers)).not.toBe(403);
      expect(response.status, JSON.stringify(headers)).toBeLessThan(500);
    }
    expect(errorLogs()).toEqual([]);
  });

  it("behind a trusted proxy, compares the Origin with X-Forwarded-Host", async () => {
    const proxied = await startLoggedServer({ TRUST_PROXY: "1" });
    try {
      const ours = await post(proxied.server, "/login", {
        Origin: "https://quorum.example",
        "X-Forwarded-Host": "quorum.example",
      });
      await ours.arrayBuffer();
      expect(ours.status).not.toBe(403);
      expect(ours.status).toBeLessThan(500);
      const theirs = await post(proxied.server, "/login", {
        Origin: proxied.server.url,
        "X-Forwarded-Host": "quorum.example",
      });
      expect(theirs.status).toBe(403);
      expect(proxied.logs.filter((line) => line.level >= ERROR_LEVEL)).toEqual([]);
    } finally {
      await proxied.server.stop();
    }
  });
});

describe("the request log", () => {
  it("blanks out a token sent as a query parameter", async () => {
    const secret = "qrm_live_secret_value_123";
    const response = await fetch(`${main.server.url}/api/v1/me?token=${secret}&x=1`);
    await response.arrayBuffer();
    const logged = JSON.stringify(main.logs);
    expect(logged).not.toContain(secret);
    expect(logged).toContain("/api/v1/me?token=[redacted]&x=1");
    expect(withoutLinkTokens(`/a?access_token=${secret}&%74oken=${secret}&q=token`)).toBe(
      "/a?access_token=[redacted]&%74oken=[redacted]&q=token",
    );
  });
});
