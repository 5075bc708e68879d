import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db/client.ts";
import { AppError } from "../../server/errors.ts";
import {
  createApiToken,
  hashSecret,
  logIn,
  logOut,
  revokeApiToken,
  userFromApiToken,
  userFromSession,
} from "../../server/services/auth.ts";
import { createUser } from "../../server/services/users.ts";
import { openTestDatabase } from "../setup/database.ts";

let database: DatabaseHandle & { drop(): Promise<void> };
const policy = { maxFailures: 3, maxFailuresPerIp: 100, sessionTtlMs: 60_000 };
const request = (email: string, password: string) => ({
  email,
  password,
  ip: "127.0.0.1",
  userAgent: "vitest",
});

beforeAll(async () => {
  database = await openTestDatabase();
  await createUser(database.db, {
    email: "Ada@Example.test",
    name: "Ada",
    password: "correct horse battery staple",
    level: "expert",
    domains: ["medical", "language:de"],
    hourlyRate: 120.5,
  });
});

afterAll(async () => {
  await database?.drop();
});

async function sessionCount() {
  const { count } = await database.db
    .selectFrom("sessions")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .executeTakeFirstOrThrow();
  return count;
}

async function expectAppError(promise: Promise<unknown>, code: string) {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
}

describe("users", () => {
  it("stores an argon2id hash, a lower-cased email and the annotator profile", async () => {
    const user = await database.db
      .selectFrom("users")
      .selectAll()
      .where("email", "=", "ada@example.test")
      .executeTakeFirstOrThrow();
    expect(user.password_hash).toMatch(/^\$argon2id\$/);
    expect(user).toMatchObject({
      level: "expert",
      domains: ["medical", "language:de"],
      hourly_rate_cents: 12050,
    });
  });

  it("refuses a second user with the same email in another case", async () => {
    await expectAppError(
      createUser(database.db, {
        email: "ADA@example.test",
        name: "Ada 2",
        password: "password-1234",
      }),
      "conflict",
    );
  });

  it("refuses an invalid profile with field errors", async () => {
    const error = await createUser(database.db, {
      email: "not-an-email",
      name: "",
      password: "short",
      domains: ["astrology"],
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    const fields = ((error as AppError).details as Array<{ field: string }>).map((d) => d.field);
    expect(fields).toEqual(expect.arrayContaining(["email", "name", "password", "domains.0"]));
  });
  it("refuses a password of fewer than 12 characters, naming the field", async () => {
    const error = await createUser(database.db, {
      email: "eleven@example.test",
      name: "Eleven",
      password: "elevenchars",
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).status).toBe(422);
    expect((error as AppError).details).toEqual([
      { field: "password", message: "must be at least 12 characters" },
    ]);
    const twelve = await createUser(database.db, {
      email: "twelve@example.test",
      name: "Twelve",
      password: "twelve chars",
    });
    expect(twelve.email).toBe("twelve@example.test");
  });
});

describe("sessions", () => {
  it("logs in with the right password, case-insensitively on the email, and logs out", async () => {
    const { sessionToken, user } = await logIn(
      database.db,
      request("ada@EXAMPLE.test", "correct horse battery staple"),
      policy,
    );
    expect(user.email).toBe("ada@example.test");
    expect((await userFromSession(database.db, sessionToken))?.id).toBe(user.id);
    const stored = await database.db
      .selectFrom("sessions")
      .select("id")
      .where("user_id", "=", user.id)
      .execute();
    expect(stored.map((row) => row.id)).toContain(hashSecret(sessionToken));
    expect(stored.map((row) => row.id)).not.toContain(sessionToken);

    await logOut(database.db, sessionToken);
    expect(await userFromSession(database.db, sessionToken)).toBeNull();
  });

  it("refuses a wrong password and an unknown email alike, opening no session", async () => {
    const before = await sessionCount();
    await expectAppError(
      logIn(database.db, request("ada@example.test", "wrong"), policy),
      "unauthorized",
    );
    await expectAppError(
      logIn(database.db, request("nobody@example.test", "whatever"), policy),
      "unauthorized",
    );
    expect(await sessionCount()).toBe(before);
  });

  it("does not honour an expired session", async () => {
    const { sessionToken } = await logIn(
      database.db,
      request("ada@example.test", "correct horse battery staple"),
      { ...policy, sessionTtlMs: -1000 },
    );
    expect(await userFromSession(database.db, sessionToken)).toBeNull();
  });

  it("locks an account after repeated failures, even for the right password", async () => {
    await createUser(database.db, {
      email: "target@example.test",
      name: "T",
      password: "password-1234",
    });
    for (let attempt = 0; attempt < policy.maxFailures; attempt++) {
      await expectAppError(
        logIn(database.db, request("target@example.test", `guess-${attempt}`), policy),
        "unauthorized",
      );
    }
    await expectAppError(
      logIn(database.db, request("target@example.test", "password-1234"), policy),
      "rate_limited",
    );
    const other = await logIn(
      database.db,
      request("ada@example.test", "correct horse battery staple"),
      policy,
    );
    expect(other.sessionToken).toBeTruthy();
  });

  it("refuses disabled users", async () => {
    const user = await createUser(database.db, {
      email: "gone@example.test",
      name: "Gone",
      password: "password-1234",
    });
    const { sessionToken } = await logIn(
      database.db,
      request("gone@example.test", "password-1234"),
      policy,
    );
    const { token } = await createApiToken(database.db, user.id, "t");
    await database.db
      .updateTable("users")
      .set({ disabled_at: new Date() })
      .where("id", "=", user.id)
      .execute();
    expect(await userFromSession(database.db, sessionToken)).toBeNull();
    expect(await userFromApiToken(database.db, token)).toBeNull();
    await expectAppError(
      logIn(database.db, request("gone@example.test", "password-1234"), policy),
      "unauthorized",
    );
  });
});

describe("API tokens", () => {
  it("authenticates until revoked, and stores only a hash", async () => {
    const user = await createUser(database.db, {
      email: "bot@example.test",
      name: "Bot",
      password: "password-1234",
    });
    const created = await createApiToken(database.db, user.id, "nightly export");
    expect(created.token).toMatch(/^qrm_[A-Za-z0-9_-]{43}$/);
    expect((await userFromApiToken(database.db, created.token))?.id).toBe(user.id);
    const row = await database.db
      .selectFrom("api_tokens")
      .selectAll()
      .where("id", "=", created.id)
      .executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(hashSecret(created.token));
    expect(row.last_used_at).not.toBeNull();

    await revokeApiToken(database.db, user.id, created.id);
    expect(await userFromApiToken(database.db, created.token)).toBeNull();
    expect(await userFromApiToken(database.db, "qrm_unknown")).toBeNull();
    expect(await userFromApiToken(database.db, "not-even-a-token")).toBeNull();
  });
});

describe("audit log", () => {
  it("records user creation and token creation and revocation", async () => {
    const user = await createUser(database.db, {
      email: "audited@example.test",
      name: "Audited",
      password: "password-1234",
    });
    const { id } = await createApiToken(database.db, user.id, "audited token");
    await revokeApiToken(database.db, user.id, id);
    const entries = await database.db
      .selectFrom("audit_log")
      .select(["action", "actor_id", "subject_id"])
      .where((eb) =>
        eb.or([
          eb.and([eb("subject_type", "=", "user"), eb("subject_id", "=", String(user.id))]),
          eb.and([eb("subject_type", "=", "api_token"), eb("subject_id", "=", String(id))]),
        ]),
      )
      .orderBy("id")
      .execute();
    expect(entries.map((entry) => entry.action)).toEqual([
      "user.create",
      "api_token.create",
      "api_token.revoke",
    ]);
    expect(entries[1].actor_id).toBe(user.id);
  });
});
