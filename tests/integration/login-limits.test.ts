import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SESSION_COOKIE_NAME } from "../../server/http/credentials.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";

const RIGHT_PASSWORD = "correct horse battery staple";
const PARALLEL_ATTEMPTS = 300;

/** Signs in through the login form, as a browser would; the status and whether a session came. */
async function submitLogin(
  server: TestServer,
  email: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; session: boolean }> {
  const response = await fetch(`${server.url}/login`, {
    method: "POST",
    body: new URLSearchParams({ email, password }),
    headers,
    redirect: "manual",
  });
  await response.arrayBuffer();
  const cookie = response.headers.get("set-cookie") ?? "";
  return {
    status: response.status,
    session: new RegExp(`${SESSION_COOKIE_NAME}=[^;]+`).test(cookie) && response.status === 302,
  };
}

/** Every attempt that got as far as a password check leaves a row; refused ones leave none. */
async function checkedAttempts(server: TestServer, where: { email?: string; ip?: string }) {
  let query = server.context.db
    .selectFrom("login_attempts")
    .select(["succeeded", "ip", "email"])
    .orderBy("id");
  if (where.email) query = query.where("email", "=", where.email);
  if (where.ip) query = query.where("ip", "=", where.ip);
  return query.execute();
}

async function sessionsOf(server: TestServer, email: string): Promise<number> {
  const { count } = await server.context.db
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.user_id")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .where("users.email", "=", email)
    .executeTakeFirstOrThrow();
  return Number(count);
}

describe("sign-in limits, under hundreds of parallel attempts", { timeout: 120_000 }, () => {
  let server: TestServer;
  const maxFailures = 10;
  const maxFailuresPerIp = 40;

  beforeAll(async () => {
    server = await startTestServer({
      LOGIN_MAX_FAILURES: String(maxFailures),
      LOGIN_MAX_FAILURES_PER_IP: String(maxFailuresPerIp),
      TRUST_PROXY: "1",
    });
  });
  afterAll(() => server?.stop());

  it("checks at most LOGIN_MAX_FAILURES passwords of an account, and then refuses the right one", async () => {
    const email = "target@example.test";
    await server.createUserWithToken({ email });
    // Each attempt comes from an address of its own, so that only the account's limit applies.
    const attempts = Array.from({ length: PARALLEL_ATTEMPTS }, (_, index) =>
      submitLogin(
        server,
        email,
        index === PARALLEL_ATTEMPTS - 1 ? RIGHT_PASSWORD : `wrong guess ${index}`,
        { "X-Forwarded-For": `10.1.${index >> 8}.${index & 255}` },
      ),
    );
    const results = await Promise.all(attempts);
    const checked = await checkedAttempts(server, { email });

    expect(checked.length).toBeLessThanOrEqual(maxFailures);
    expect(results.filter((result) => result.status === 429)).toHaveLength(
      PARALLEL_ATTEMPTS - checked.length,
    );
    // The right password opened a session only if it was among the attempts that were checked.
    const right = results[PARALLEL_ATTEMPTS - 1];
    const rightWasChecked = checked.some((attempt) => attempt.succeeded);
    expect(right.session).toBe(rightWasChecked);
    expect(await sessionsOf(server, email)).toBe(rightWasChecked ? 1 : 0);

    // Once the limit is reached, the right password is refused too.
    const afterwards = await submitLogin(server, email, RIGHT_PASSWORD, {
      "X-Forwarded-For": "10.9.9.9",
    });
    expect(afterwards).toEqual({ status: 429, session: false });
  });

  it("checks at most LOGIN_MAX_FAILURES_PER_IP passwords from one address, across accounts", async () => {
    const address = "203.0.113.7";
    const emails = Array.from({ length: 30 }, (_, index) => `sprayed${index}@example.test`);
    for (const email of emails) await server.createUserWithToken({ email });
    const results = await Promise.all(
      Array.from({ length: PARALLEL_ATTEMPTS }, (_, index) =>
        submitLogin(server, emails[index % emails.length], `Spring2026! ${index}`, {
          "X-Forwarded-For": address,
        }),
      ),
    );
    const checked = await checkedAttempts(server, { ip: address });
    expect(checked.length).toBeLessThanOrEqual(maxFailuresPerIp);
    expect(results.filter((result) => result.status === 429)).toHaveLength(
      PARALLEL_ATTEMPTS - checked.length,
    );

    // Another address may still sign in to those accounts.
    const elsewhere = await submitLogin(server, emails[0], RIGHT_PASSWORD, {
      "X-Forwarded-For": "198.51.100.1",
    });
    expect(elsewhere).toEqual({ status: 302, session: true });
    // The limited address may not, even with the right password.
    const limited = await submitLogin(server, emails[1], RIGHT_PASSWORD, {
      "X-Forwarded-For": address,
    });
    expect(limited).toEqual({ status: 429, session: false });
  });

  it("takes the client address from the hop the proxy added, not from what the client claims", async () => {
    const proxyAdded = "192.0.2.55";
    await server.createUserWithToken({ email: "spoofer@example.test" });
    const results = await Promise.all(
      Array.from({ length: maxFailuresPerIp + 20 }, (_, index) =>
        submitLogin(server, `nobody${index}@example.test`, "whatever it is", {
          "X-Forwarded-For": `10.200.${index}.1, ${proxyAdded}`,
        }),
      ),
    );
    const checked = await checkedAttempts(server, { ip: proxyAdded });
    expect(checked.length).toBeLessThanOrEqual(maxFailuresPerIp);
    expect(results.filter((result) => result.status === 429).length).toBeGreaterThanOrEqual(20);
  });
});
