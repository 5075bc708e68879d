import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertRoomItem } from "../setup/room-item.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { requestUpgrade } from "../setup/sync-client.ts";

const postgres = Boolean(process.env.DATABASE_URL);

/**
 * A real outage of one test database on the shared PostgreSQL server: its connections are
 * terminated and new ones refused (`ALLOW_CONNECTIONS false`), then it is let back in. The
 * server itself is never stopped, and no other database is touched.
 */
describe.skipIf(!postgres)("a database outage", () => {
  let server: TestServer;
  let admin: pg.Client;
  let databaseName: string;
  let token: string;
  let docName: string;

  beforeAll(async () => {
    server = await startTestServer();
    ({ token } = await server.createUserWithToken({ email: "outage@example.test" }));
    const room = await insertRoomItem(server, { "lead@outage.test": "lead" });
    docName = room.docName;
    const url = new URL(server.context.config.databaseUrl ?? "");
    databaseName = url.pathname.slice(1);
    url.pathname = "/postgres";
    admin = new pg.Client({ connectionString: url.toString() });
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.query(`alter database ${databaseName} allow_connections true`);
    await admin?.end();
    await server?.stop();
  });

  async function cutOff() {
    await admin.query(`alter database ${databaseName} allow_connections false`);
    await admin.query(
      "select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()",
      [databaseName],
    );
  }

  const authorized = () => ({ Authorization: `Bearer ${token}` });

  it("answers API requests with 503 and Retry-After, and recovers when the database is back", async () => {
    expect((await fetch(`${server.url}/api/v1/me`, { headers: authorized() })).status).toBe(200);
    await cutOff();

    const requests = [
      fetch(`${server.url}/api/v1/me`, { headers: authorized() }),
      fetch(`${server.url}/api/v1/projects`, { headers: authorized() }),
      fetch(`${server.url}/api/v1/tokens`, {
        method: "POST",
        headers: { ...authorized(), "Content-Type": "application/json" },
        body: JSON.stringify({ name: "during the outage" }),
      }),
    ];
    for (const response of await Promise.all(requests)) {
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("5");
      const body = (await response.json()) as { error: { code: string } };
      expect(body.error.code).toBe("unavailable");
    }
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(503);

    const upgrade = await requestUpgrade(server.url, `/sync/${docName}?token=${token}`);
    expect(upgrade.status).toBe(503);
    expect(upgrade.headers["retry-after"]).toBe("5");
    expect(JSON.parse(upgrade.body)).toMatchObject({ error: { code: "unavailable" } });

    await admin.query(`alter database ${databaseName} allow_connections true`);
    await expect
      .poll(async () => (await fetch(`${server.url}/api/v1/me`, { headers: authorized() })).status)
      .toBe(200);
  });

  it("keeps errors that are not an outage as they are", async () => {
    const response = await fetch(`${server.url}/api/v1/projects/999999`, { headers: authorized() });
    expect(response.status).toBe(404);
    expect(response.headers.get("retry-after")).toBeNull();
  });
});
