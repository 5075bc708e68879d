import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withoutLinkTokens } from "../../server/index.ts";
import { SyncCloseCode } from "../../server/sync/close-codes.ts";
import { apiClient, expectApiError, type ApiClient } from "../setup/api-client.ts";
import { signInCookie } from "../setup/page-session.ts";
import { insertRoomItem } from "../setup/room-item.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { closeSyncClientsAfterEach, connectSyncClient, within } from "../setup/sync-client.ts";

const { track } = closeSyncClientsAfterEach();

const PASSWORD = "correct horse battery staple";
const NEW_PASSWORD = "a brand new passphrase";

interface ManagedUser {
  id: number;
  email: string;
  name: string;
  isAdmin: boolean;
  level: string | null;
  domains: string[];
  hourlyRate: number | null;
  disabled: boolean;
  lastSeenAt: string | null;
  passwordSet: boolean;
  pendingInvite: { expiresAt: string } | null;
}

interface IssuedLink {
  url: string;
  purpose: string;
  expiresAt: string;
  email: string;
}

let server: TestServer;
let admin: ApiClient;
let adminId: number;
let member: ApiClient;
let sequence = 0;

/** A fresh address, so that tests do not depend on each other's users. */
const nextEmail = (prefix = "person") => `${prefix}-${++sequence}@people.test`;

/**
 * Long rechecks and polls, so that anything closing within seconds of a change was closed by
 * the change itself, not by the periodic recheck.
 */
beforeAll(async () => {
  server = await startTestServer({
    SYNC_ACCESS_RECHECK_SECONDS: "300",
    EVENTS_POLL_SECONDS: "300",
  });
  const created = await server.createUserWithToken({ email: "admin@people.test", isAdmin: true });
  adminId = created.userId;
  admin = apiClient(server.url, created.token);
  member = apiClient(
    server.url,
    (await server.createUserWithToken({ email: "member@people.test" })).token,
  );
});

afterAll(() => server?.stop());

async function invite(body: Record<string, unknown>) {
  const response = await admin.post<{ user: ManagedUser; link: IssuedLink }>("/users", body);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

function tokenOf(link: IssuedLink): string {
  return new URL(link.url).pathname.split("/").pop()!;
}

async function openLink(url: string, cookie?: string) {
  const response = await fetch(url, { headers: cookie ? { Cookie: cookie } : {} });
  return { status: response.status, html: await response.text() };
}

/** Submits the password form of a link as a browser without scripts would. */
async function setPassword(url: string, password: string, confirmation = password) {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      Origin: server.url,
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ password, confirmation }),
    redirect: "manual",
  });
  return {
    status: response.status,
    location: response.headers.get("location"),
    cookie: response.headers.get("set-cookie")?.split(";")[0] ?? null,
    html: await response.text(),
  };
}

async function meWithCookie(cookie: string) {
  return fetch(`${server.url}/api/v1/me`, { headers: { Cookie: cookie } });
}

async function auditActions(userId: number): Promise<string[]> {
  const rows = await server.context.db
    .selectFrom("audit_log")
    .select("action")
    .where("subject_type", "=", "user")
    .where("subject_id", "=", String(userId))
    .orderBy("id")
    .execute();
  return rows.map((row) => row.action);
}

describe("who may manage users", () => {
  it("answers everyone but admins 403 on every user route, before reading any id", async () => {
    const { user } = await invite({ email: nextEmail(), name: "Someone" });
    for (const id of [user.id, 999_999]) {
      expectApiError(await member.get("/users"), 403, "forbidden");
      expectApiError(await member.get(`/users/${id}`), 403, "forbidden");
      expectApiError(
        await member.post("/users", { email: nextEmail(), name: "X" }),
        403,
        "forbidden",
      );
      expectApiError(await member.patch(`/users/${id}`, { disabled: true }), 403, "forbidden");
      expectApiError(await member.post(`/users/${id}/password-reset`), 403, "forbidden");
      expectApiError(await member.post(`/users/${id}/invite`), 403, "forbidden");
    }
    expectApiError(await admin.get("/users/999999"), 404, "not_found");
    const anonymous = await fetch(`${server.url}/api/v1/users`);
    expect(anonymous.status).toBe(401);
  });
});

describe("inviting", () => {
  it("creates the user without a password, with a one-time link, and lists them as invited", async () => {
    const email = nextEmail("Invitee");
    const { user, link } = await invite({
      email,
      name: "Ines Invitee",
      level: "expert",
      domains: ["medical", "language:de", "medical"],
      hourlyRate: 95.5,
    });
    expect(user).toMatchObject({
      email: email.toLowerCase(),
      name: "Ines Invitee",
      isAdmin: false,
      level: "expert",
      domains: ["medical", "language:de"],
      hourlyRate: 95.5,
      disabled: false,
      passwordSet: false,
      lastSeenAt: null,
    });
    expect(user.pendingInvite?.expiresAt).toBe(link.expiresAt);
    expect(link.url).toMatch(new RegExp(`^${server.url}/invite/[A-Za-z0-9_-]{43}$`));
    expect(link).toMatchObject({ purpose: "invite", email: "not_configured" });
    const hours = (Date.parse(link.expiresAt) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(71.9);
    expect(hours).toBeLessThanOrEqual(72);

    const stored = await server.context.db
      .selectFrom("password_links")
      .select("token_hash")
      .where("user_id", "=", user.id)
      .executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toContain(tokenOf(link));
    expect(await auditActions(user.id)).toEqual(["user.invite"]);

    const listed = await admin.get<{ users: ManagedUser[] }>("/users?q=ines");
    expect(listed.body.users.map((candidate) => candidate.id)).toEqual([user.id]);
    const signIn = await fetch(`${server.url}/login`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: server.url },
      body: new URLSearchParams({ email, password: PASSWORD }),
    });
    expect(signIn.status, "an invited user without a password cannot sign in").toBe(401);
  });

  it("refuses an email that has an account, whatever its case, and parallel duplicates", async () => {
    const email = nextEmail("dup");
    await invite({ email, name: "First" });
    expectApiError(
      await admin.post("/users", { email: email.toUpperCase(), name: "Again" }),
      409,
      "conflict",
    );
    const racing = nextEmail("race");
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => admin.post("/users", { email: racing, name: "Racer" })),
    );
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 409)).toHaveLength(11);
  });

  it("validates every field and refuses text that cannot be stored", async () => {
    const details = expectApiError(
      await admin.post("/users", {
        email: "not-an-email",
        name: "",
        level: "guru",
        domains: ["astrology"],
        hourlyRate: -1,
        favourite: "colour",
      }),
      422,
      "validation_failed",
    );
    const fields = details!.map((detail) => detail.field);
    for (const field of ["email", "name", "level", "domains.0", "hourlyRate"]) {
      expect(fields).toContain(field);
    }
    const nul = expectApiError(
      await admin.post("/users", { email: nextEmail(), name: "Nul\u0000Byte" }),
      422,
      "validation_failed",
    );
    expect(nul).toEqual([{ field: "name", message: expect.stringContaining("U+0000") }]);
    expectApiError(await admin.get("/users?q=%00"), 400, "bad_request");
  });
});

describe("an invite link", () => {
  it("lets the person set a strong password once, signs them in, and refuses reuse", async () => {
    const email = nextEmail();
    const { user, link } = await invite({ email, name: "Paula Password" });

    const page = await openLink(link.url);
    expect(page.status).toBe(200);
    expect(page.html).toContain("Welcome to Quorum");
    expect(page.html).toContain(email);

    const weak = await setPassword(link.url, "too short");
    expect(weak.status).toBe(422);
    expect(weak.html).toContain("must be at least 12 characters");
    const differing = await setPassword(link.url, NEW_PASSWORD, "something else entirely");
    expect(differing.status).toBe(422);
    expect(differing.html).toContain("The two passwords differ");
    expect((await openLink(link.url)).status, "a refused password leaves the link usable").toBe(
      200,
    );

    const accepted = await setPassword(link.url, NEW_PASSWORD);
    expect(accepted.status).toBe(302);
    expect(accepted.location).toBe("/projects");
    const me = await meWithCookie(accepted.cookie!);
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: { email: string } }).user.email).toBe(email);
    await signInCookie(server.url, email, NEW_PASSWORD);

    for (const reuse of [await openLink(link.url), await setPassword(link.url, PASSWORD)]) {
      expect(reuse.status).toBe(410);
      expect(reuse.html).toContain("This link has already been used");
      expect(reuse.html).not.toMatch(/at .*\.ts:\d+/);
    }
    const listed = await admin.get<{ user: ManagedUser }>(`/users/${user.id}`);
    expect(listed.body.user).toMatchObject({ passwordSet: true, pendingInvite: null });
    expect(listed.body.user.lastSeenAt).not.toBeNull();
    expect(await auditActions(user.id)).toEqual(["user.invite", "user.invite.accept"]);
  });

  it("is claimed by exactly one of many parallel submissions", async () => {
    const { link } = await invite({ email: nextEmail(), name: "Parallel Person" });
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, index) => setPassword(link.url, `${NEW_PASSWORD} ${index}`)),
    );
    expect(answers.filter((answer) => answer.status === 302)).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 410)).toHaveLength(7);
  });

  it("says clearly when it is unknown, expired or replaced by a newer one", async () => {
    const unknown = await openLink(`${server.url}/invite/${"x".repeat(43)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.html).toContain("This link is not valid");
    const garbage = await openLink(`${server.url}/invite/%E2%80%AE..%2F..`);
    expect(garbage.status).toBe(404);

    const { user, link: first } = await invite({ email: nextEmail(), name: "Renewed" });
    const renewed = await admin.post<{ link: IssuedLink }>(`/users/${user.id}/invite`);
    expect(renewed.status).toBe(201);
    const older = await openLink(first.url);
    expect(older.status).toBe(410);
    expect(older.html).toContain("This link no longer works");
    expect((await openLink(renewed.body.link.url)).status).toBe(200);

    await server.context.db
      .updateTable("password_links")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where("user_id", "=", user.id)
      .where("revoked_at", "is", null)
      .execute();
    const expired = await openLink(renewed.body.link.url);
    expect(expired.status).toBe(410);
    expect(expired.html).toContain("This link has expired");
    expect((await setPassword(renewed.body.link.url, NEW_PASSWORD)).status).toBe(410);
    const listed = await admin.get<{ user: ManagedUser }>(`/users/${user.id}`);
    expect(listed.body.user).toMatchObject({ passwordSet: false, pendingInvite: null });
  });

  it("is never written to the request log", () => {
    const token = "AbC_d-e".padEnd(43, "x");
    expect(withoutLinkTokens(`/invite/${token}`)).toBe("/invite/[token]");
    expect(withoutLinkTokens(`/invite/${token}.data?_routes=x`)).toBe(
      "/invite/[token].data?_routes=x",
    );
    expect(withoutLinkTokens(`/__manifest?p=%2Finvite%2F${token}`)).toBe(
      "/__manifest?p=%2Finvite%2F[token]",
    );
    expect(withoutLinkTokens("/api/v1/users/4/invite")).toBe("/api/v1/users/4/invite");
    expect(withoutLinkTokens("/api/v1/projects/4/invites")).toBe("/api/v1/projects/4/invites");
  });
});

/** Invites someone and has them accept: their id, an API token and a signed-in session. */
async function activeUser(extra: Record<string, unknown> = {}) {
  const email = nextEmail("active");
  const { user, link } = await invite({ email, name: "Active Person", ...extra });
  const accepted = await setPassword(link.url, PASSWORD);
  expect(accepted.status).toBe(302);
  const { createApiToken } = await import("../../server/services/auth.ts");
  const { token } = await createApiToken(server.context.db, user.id, "script");
  return { id: user.id, email, cookie: accepted.cookie!, token };
}

describe("editing", () => {
  it("changes level, domains, rate and the admin flag, and audits what changed", async () => {
    const person = await activeUser({ level: "junior", hourlyRate: 40 });
    const edited = await admin.patch<{ user: ManagedUser }>(`/users/${person.id}`, {
      level: "expert",
      domains: ["code", "language:pt-BR"],
      hourlyRate: 120.25,
      isAdmin: true,
      name: "  Renamed Person ",
    });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body.user).toMatchObject({
      name: "Renamed Person",
      level: "expert",
      domains: ["code", "language:pt-BR"],
      hourlyRate: 120.25,
      isAdmin: true,
    });
    const audit = await server.context.db
      .selectFrom("audit_log")
      .select(["actor_id", "details"])
      .where("action", "=", "user.update")
      .where("subject_id", "=", String(person.id))
      .executeTakeFirstOrThrow();
    expect(audit.actor_id).toBe(adminId);
    expect(audit.details).toMatchObject({
      changes: { level: { from: "junior", to: "expert" }, hourlyRate: { from: 40, to: 120.25 } },
    });
    expectApiError(
      await admin.patch(`/users/${person.id}`, { hourlyRate: "lots" }),
      422,
      "validation_failed",
    );
    expectApiError(
      await admin.patch(`/users/${person.id}`, { email: "x@y.z" }),
      422,
      "validation_failed",
    );
  });

  it("keeps an admin from disabling themselves or dropping their own admin flag", async () => {
    expectApiError(await admin.patch(`/users/${adminId}`, { disabled: true }), 409, "conflict");
    expectApiError(await admin.patch(`/users/${adminId}`, { isAdmin: false }), 409, "conflict");
    expect((await admin.get("/users")).status).toBe(200);
  });
});

describe("disabling", () => {
  it("ends sessions, tokens, open rooms and event streams at once; re-enabling needs a new sign-in", async () => {
    const person = await activeUser();
    const { projectId, docName } = await insertRoomItem(server, {});
    await server.context.db
      .insertInto("project_members")
      .values({ project_id: projectId, user_id: person.id, role: "lead" })
      .execute();
    const room = track(connectSyncClient(server.url, docName, { token: person.token }));
    await room.synced;
    const stream = await fetch(`${server.url}/api/v1/projects/${projectId}/events`, {
      headers: { Cookie: person.cookie },
    });
    expect(stream.status).toBe(200);
    const streamText = stream.text();

    const started = Date.now();
    const disabled = await admin.patch<{ user: ManagedUser }>(`/users/${person.id}`, {
      disabled: true,
    });
    expect(disabled.body.user.disabled).toBe(true);
    const refusal = await within(room.refused, "the disabled user's room to close", 5_000);
    expect(refusal.code).toBe(SyncCloseCode.accessRevoked);
    const events = await within(streamText, "the disabled user's event stream to end", 5_000);
    expect(events).toMatch(/event: error\ndata: .*"unauthorized"/);
    expect(Date.now() - started, "closed by the change, not a periodic recheck").toBeLessThan(
      5_000,
    );

    expect((await meWithCookie(person.cookie)).status).toBe(401);
    expectApiError(await apiClient(server.url, person.token).get("/me"), 401, "unauthorized");
    const refused = await fetch(`${server.url}/login`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: server.url },
      body: new URLSearchParams({ email: person.email, password: PASSWORD }),
    });
    expect(refused.status).toBe(401);
    expect(await refused.text(), "the same answer as a wrong password").toContain(
      "Email or password is incorrect",
    );
    expectApiError(await admin.post(`/users/${person.id}/password-reset`), 409, "conflict");

    const enabled = await admin.patch<{ user: ManagedUser }>(`/users/${person.id}`, {
      disabled: false,
    });
    expect(enabled.body.user.disabled).toBe(false);
    expect((await meWithCookie(person.cookie)).status, "old sessions stay ended").toBe(401);
    expect((await apiClient(server.url, person.token).get("/me")).status).toBe(401);
    const again = await signInCookie(server.url, person.email, PASSWORD);
    expect((await meWithCookie(again)).status).toBe(200);
    expect(await auditActions(person.id)).toEqual(
      expect.arrayContaining(["user.disable", "user.enable"]),
    );
  });

  it("answers a change that changes nothing, such as disabling twice, with the user as is", async () => {
    const { user } = await invite({ email: nextEmail(), name: "Twice Person" });
    const answers: boolean[] = [];
    for (const change of [{ disabled: true }, { disabled: true }, {}, { disabled: false }, {}]) {
      const answer = await admin.patch<{ user: ManagedUser }>(`/users/${user.id}`, change);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      answers.push(answer.body.user.disabled);
    }
    expect(answers).toEqual([true, true, true, false, false]);
    expect(await auditActions(user.id)).toEqual(["user.invite", "user.disable", "user.enable"]);
  });
});

describe("a password reset", () => {
  it("works once, ends the other sessions when used, and keeps the API tokens", async () => {
    const person = await activeUser();
    const { projectId, docName } = await insertRoomItem(server, {});
    await server.context.db
      .insertInto("project_members")
      .values({ project_id: projectId, user_id: person.id, role: "lead" })
      .execute();
    const browserRoom = track(
      connectSyncClient(server.url, docName, {
        headers: { Cookie: person.cookie, Origin: server.url },
      }),
    );
    await browserRoom.synced;

    const reset = await admin.post<{ user: ManagedUser; link: IssuedLink }>(
      `/users/${person.id}/password-reset`,
    );
    expect(reset.status).toBe(201);
    expect(reset.body.link.purpose).toBe("password_reset");
    expect((await meWithCookie(person.cookie)).status, "issuing a link ends nothing").toBe(200);
    const page = await openLink(reset.body.link.url);
    expect(page.html).toContain("Choose a new password");

    const used = await setPassword(reset.body.link.url, NEW_PASSWORD);
    expect(used.status).toBe(302);
    expect((await meWithCookie(person.cookie)).status).toBe(401);
    expect((await meWithCookie(used.cookie!)).status).toBe(200);
    expect((await apiClient(server.url, person.token).get("/me")).status).toBe(200);
    const refusal = await within(browserRoom.refused, "the old session's room to close", 5_000);
    expect(refusal.code).toBe(SyncCloseCode.accessRevoked);
    await signInCookie(server.url, person.email, NEW_PASSWORD);
    await expect(signInCookie(server.url, person.email, PASSWORD)).rejects.toThrow(/401/);

    const reused = await setPassword(reset.body.link.url, "yet another passphrase");
    expect(reused.status).toBe(410);
    expect(reused.html).toContain("This link has already been used");
  });

  it("is refused as an invite for someone who already set a password", async () => {
    const person = await activeUser();
    expectApiError(await admin.post(`/users/${person.id}/invite`), 409, "conflict");
  });
});

describe("inviting into a project", () => {
  it("lets a lead invite annotators and clients, and only admins invite leads", async () => {
    const { projectId, people } = await insertRoomItem(server, {
      "lead@project.test": "lead",
      "annotator@project.test": "annotator",
    });
    const lead = apiClient(server.url, people["lead@project.test"].token);
    const annotator = apiClient(server.url, people["annotator@project.test"].token);
    const email = nextEmail("recruit");
    const invited = await lead.post<{ member: { userId: number; role: string }; link: IssuedLink }>(
      `/projects/${projectId}/invites`,
      { email, name: "Rita Recruit", role: "annotator", level: "junior", domains: ["medical"] },
    );
    expect(invited.status, JSON.stringify(invited.body)).toBe(201);
    expect(invited.body.member.role).toBe("annotator");
    const members = await lead.get<{ members: Array<{ email: string; role: string }> }>(
      `/projects/${projectId}/members`,
    );
    expect(members.body.members).toContainEqual(
      expect.objectContaining({ email, role: "annotator" }),
    );
    expect((await openLink(invited.body.link.url)).status).toBe(200);

    expectApiError(
      await lead.post(`/projects/${projectId}/invites`, {
        email: nextEmail(),
        name: "Would-be lead",
        role: "lead",
      }),
      403,
      "forbidden",
    );
    expectApiError(
      await annotator.post(`/projects/${projectId}/invites`, {
        email: nextEmail(),
        name: "Friend",
        role: "annotator",
      }),
      403,
      "forbidden",
    );
    expectApiError(
      await member.post(`/projects/${projectId}/invites`, {
        email: nextEmail(),
        name: "Friend",
        role: "annotator",
      }),
      404,
      "not_found",
    );
    expect(
      (
        await admin.post(`/projects/${projectId}/invites`, {
          email: nextEmail(),
          name: "New lead",
          role: "lead",
        })
      ).status,
    ).toBe(201);
    expectApiError(
      await lead.post(`/projects/${projectId}/invites`, { email, name: "Again", role: "client" }),
      409,
      "conflict",
    );
  });
});
