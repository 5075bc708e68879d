import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashSecret } from "../../server/services/auth.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";

let server: TestServer;
let admin: { userId: number; token: string };

beforeAll(async () => {
  server = await startTestServer({ MAX_BODY_BYTES: "4096" });
  admin = await server.createUserWithToken({ email: "admin@example.test", isAdmin: true });
});

afterAll(async () => {
  await server?.stop();
});

function api(path: string, init: RequestInit & { token?: string } = {}) {
  const headers = new Headers(init.headers);
  if (init.token) headers.set("Authorization", `Bearer ${init.token}`);
  return fetch(`${server.url}${path}`, { ...init, headers });
}

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toMatch(/application\/json/);
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(0);
  return body;
}

async function countRows(table: "api_tokens" | "users" | "sessions") {
  const { count } = await server.context.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .executeTakeFirstOrThrow();
  return count;
}

describe("GET /healthz", () => {
  it("reports the database kind and version", async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      ok: true,
      db: process.env.DATABASE_URL ? "postgres" : "pglite",
      version: server.context.version,
    });
  });

  it("echoes or assigns a request id", async () => {
    const echoed = await fetch(`${server.url}/healthz`, { headers: { "X-Request-Id": "abc-123" } });
    expect(echoed.headers.get("x-request-id")).toBe("abc-123");
    const assigned = await fetch(`${server.url}/healthz`);
    expect(assigned.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("GET /api/v1/me", () => {
  it("returns the token's user", async () => {
    const response = await api("/api/v1/me", { token: admin.token });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      user: { id: number; email: string; isAdmin: boolean };
    };
    expect(body.user).toMatchObject({
      id: admin.userId,
      email: "admin@example.test",
      isAdmin: true,
    });
    expect(JSON.stringify(body)).not.toMatch(/password|hash/i);
  });

  it("reports the server's time in Server-Timing", async () => {
    const response = await api("/api/v1/me", { token: admin.token });
    expect(response.headers.get("server-timing")).toMatch(/^app;dur=\d+\.\d{2}$/);
  });

  it("refuses a request without credentials", async () => {
    await expectError(await api("/api/v1/me"), 401, "unauthorized");
  });

  it("refuses a forged token", async () => {
    await expectError(await api("/api/v1/me", { token: "qrm_forged" }), 401, "unauthorized");
  });

  it("treats an expired session cookie as no credentials", async () => {
    const { db, sessionCookie } = server.context;
    await db
      .insertInto("users")
      .values({ email: "expired@example.test", name: "Expired" })
      .execute();
    const user = await db
      .selectFrom("users")
      .select("id")
      .where("email", "=", "expired@example.test")
      .executeTakeFirstOrThrow();
    await db
      .insertInto("sessions")
      .values({
        id: hashSecret("stale-session"),
        user_id: user.id,
        expires_at: new Date(Date.now() - 1000),
      })
      .execute();
    const cookie = await sessionCookie.serialize("stale-session");
    await expectError(
      await api("/api/v1/me", { headers: { Cookie: cookie } }),
      401,
      "unauthorized",
    );
  });

  it("refuses a malformed Authorization header", async () => {
    const response = await api("/api/v1/me", { headers: { Authorization: "Basic abc" } });
    await expectError(response, 401, "unauthorized");
  });
});

describe("API tokens", () => {
  it("creates, lists and revokes a token; a revoked token stops working", async () => {
    const created = await api("/api/v1/tokens", {
      method: "POST",
      token: admin.token,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: "ci script" }),
    });
    expect(created.status).toBe(201);
    const { id, token, prefix } = (await created.json()) as {
      id: number;
      token: string;
      prefix: string;
    };
    expect(token.startsWith(prefix)).toBe(true);
    expect((await api("/api/v1/me", { token })).status).toBe(200);

    const stored = await server.context.db
      .selectFrom("api_tokens")
      .select("token_hash")
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toContain(token);

    const listed = (await (await api("/api/v1/tokens", { token })).json()) as {
      tokens: Array<{ id: number; name: string }>;
    };
    expect(listed.tokens.map((entry) => entry.name)).toContain("ci script");
    expect(JSON.stringify(listed)).not.toContain(token);

    expect(
      (await api(`/api/v1/tokens/${id}`, { method: "DELETE", token: admin.token })).status,
    ).toBe(204);
    await expectError(await api("/api/v1/me", { token }), 401, "unauthorized");
  });

  it("will not revoke another user's token", async () => {
    const other = await server.createUserWithToken({ email: "other@example.test" });
    const [otherToken] = (
      (await (await api("/api/v1/tokens", { token: other.token })).json()) as {
        tokens: Array<{ id: number }>;
      }
    ).tokens;
    await expectError(
      await api(`/api/v1/tokens/${otherToken.id}`, { method: "DELETE", token: admin.token }),
      404,
      "not_found",
    );
    expect((await api("/api/v1/me", { token: other.token })).status).toBe(200);
  });
});

describe("bad input", () => {
  it("answers malformed JSON with 400 and stores nothing", async () => {
    const before = await countRows("api_tokens");
    const response = await api("/api/v1/tokens", {
      method: "POST",
      token: admin.token,
      headers: { "Content-Type": "application/json" },
      body: '{"name": "unterminated',
    });
    await expectError(response, 400, "bad_request");
    expect(await countRows("api_tokens")).toBe(before);
  });

  it("answers an invalid body with 422 and field details", async () => {
    const response = await api("/api/v1/tokens", {
      method: "POST",
      token: admin.token,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: "" }),
    });
    const body = await expectError(response, 422, "validation_failed");
    expect(body).toMatchObject({ error: { details: [{ field: "name" }] } });
  });

  it("answers an oversized body with 413 and stores nothing", async () => {
    const before = await countRows("api_tokens");
    const response = await api("/api/v1/tokens", {
      method: "POST",
      token: admin.token,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: "x".repeat(10_000) }),
    });
    await expectError(response, 413, "payload_too_large");
    expect(await countRows("api_tokens")).toBe(before);
  });

  it("answers a wrong content type with 415", async () => {
    const response = await api("/api/v1/tokens", {
      method: "POST",
      token: admin.token,
      headers: { "Content-Type": "text/plain" },
      body: "name=x",
    });
    await expectError(response, 415, "unsupported_media_type");
  });

  it("answers an unknown API route with 404", async () => {
    await expectError(await api("/api/v1/nothing-here", { token: admin.token }), 404, "not_found");
    await expectError(await api("/api/v2/me"), 404, "not_found");
  });

  it("answers a bad id with 400", async () => {
    await expectError(
      await api("/api/v1/projects/abc", { token: admin.token }),
      400,
      "bad_request",
    );
  });

  it("answers bad query parameters with 400 naming them, not as a bad body", async () => {
    const project = await api("/api/v1/projects", {
      method: "POST",
      token: admin.token,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        name: "Query parameters",
        template: {
          fields: [{ id: "verdict", type: "choice", label: "Verdict", options: ["a", "b"] }],
        },
      }),
    });
    expect(project.status).toBe(201);
    const { id } = (await project.json()) as { id: number };
    const cases = [
      [`/api/v1/queue/next?project=abc`, "project"],
      [`/api/v1/projects/${id}/reviews?verdict=maybe`, "verdict"],
      [`/api/v1/projects/${id}/guidelines?version=0`, "version"],
      [`/api/v1/projects/${id}/flags?status=sideways`, "status"],
    ] as const;
    for (const [path, parameter] of cases) {
      const body = (await expectError(
        await api(path, { token: admin.token }),
        400,
        "bad_request",
      )) as {
        error: { message: string; details?: Array<{ field: string }> };
      };
      expect(body.error.message).toBe("The query parameters are not valid");
      expect(body.error.details?.map((detail) => detail.field)).toContain(parameter);
    }
  });

  it("refuses a cross-origin request that carries a session cookie", async () => {
    const response = await api("/api/v1/tokens", {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Cookie: "quorum_session=anything",
        Origin: "https://evil.example",
      },
      body: JSON.stringify({ name: "csrf" }),
    });
    await expectError(response, 403, "forbidden");
  });
});

describe("projects", () => {
  it("lists only the projects a user belongs to, and hides others as 404", async () => {
    const { db } = server.context;
    const member = await server.createUserWithToken({ email: "member@example.test" });
    const [visible, hidden] = await db
      .insertInto("projects")
      .values([
        {
          name: "Visible",
          template: JSON.stringify({
            fields: [
              { id: "verdict", type: "choice", label: "Verdict", options: ["safe", "unsafe"] },
            ],
          }),
        },
        {
          name: "Hidden",
          template: JSON.stringify({
            fields: [
              { id: "verdict", type: "choice", label: "Verdict", options: ["safe", "unsafe"] },
            ],
          }),
        },
      ])
      .returning("id")
      .execute();
    await db
      .insertInto("project_members")
      .values({ project_id: visible.id, user_id: member.userId, role: "annotator" })
      .execute();

    const list = (await (await api("/api/v1/projects", { token: member.token })).json()) as {
      projects: Array<{ id: number; role: string }>;
    };
    expect(list.projects).toEqual([expect.objectContaining({ id: visible.id, role: "annotator" })]);
    expect((await api(`/api/v1/projects/${visible.id}`, { token: member.token })).status).toBe(200);
    await expectError(
      await api(`/api/v1/projects/${hidden.id}`, { token: member.token }),
      404,
      "not_found",
    );

    const adminList = (await (await api("/api/v1/projects", { token: admin.token })).json()) as {
      projects: Array<{ id: number }>;
    };
    expect(adminList.projects.map((project) => project.id)).toEqual(
      expect.arrayContaining([visible.id, hidden.id]),
    );
  });
});
