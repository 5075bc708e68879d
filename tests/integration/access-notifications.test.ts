import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db/client.ts";
import { ACCESS_CHANNEL } from "../../server/access-changes.ts";
import { createApiToken } from "../../server/services/auth.ts";
import { createProject } from "../../server/services/project-admin.ts";
import { createUser } from "../../server/services/users.ts";
import type { User } from "../../db/schema.ts";
import { openTestDatabase } from "../setup/database.ts";

/**
 * The database itself announces every committed change of access on `quorum_access`, whoever
 * makes it, so that each server can check its open connections again at once. Statements that
 * change nothing of anyone's access announce nothing, so that everyday writes (a login, a token
 * used, a name changed) cost the servers no recheck.
 */
describe("access notifications", () => {
  let database: DatabaseHandle & { drop(): Promise<void> };
  let heard = 0;
  let admin: User;
  let member: User;
  let projectId: number;

  beforeAll(async () => {
    database = await openTestDatabase();
    await database.listen!(ACCESS_CHANNEL, () => {
      heard += 1;
    });
    admin = await createUser(database.db, {
      email: "admin@notify.test",
      name: "Admin",
      password: "correct horse battery staple",
      isAdmin: true,
    });
    member = await createUser(database.db, {
      email: "member@notify.test",
      name: "Member",
      password: "correct horse battery staple",
    });
    ({ id: projectId } = await createProject(database.db, admin, {
      name: "Notified",
      template: {
        fields: [{ id: "verdict", type: "choice", label: "Verdict", options: ["a", "b"] }],
      },
    }));
  });
  afterAll(async () => {
    await database?.drop();
  });

  /** How many notifications the statement's commit brought, once they have had time to arrive. */
  async function notificationsOf(statement: () => Promise<unknown>): Promise<number> {
    await settle();
    const before = heard;
    await statement();
    await settle();
    return heard - before;
  }
  const settle = () => new Promise((resolve) => setTimeout(resolve, 150));
  const run = (query: ReturnType<typeof sql>) => () => query.execute(database.db);

  it("announces a membership ended or changed, and not one added", async () => {
    expect(
      await notificationsOf(
        run(sql`insert into project_members (project_id, user_id, role)
                values (${projectId}, ${member.id}, 'annotator')`),
      ),
    ).toBe(0);
    expect(
      await notificationsOf(
        run(sql`update project_members set role = 'client'
                where project_id = ${projectId} and user_id = ${member.id}`),
      ),
    ).toBe(1);
    expect(
      await notificationsOf(
        run(sql`delete from project_members
                where project_id = ${projectId} and user_id = ${member.id}`),
      ),
    ).toBe(1);
  });

  it("announces an account disabled or its admin right taken away, and not a new name", async () => {
    expect(
      await notificationsOf(run(sql`update users set name = 'Renamed' where id = ${member.id}`)),
    ).toBe(0);
    expect(
      await notificationsOf(run(sql`update users set disabled_at = now() where id = ${member.id}`)),
    ).toBe(1);
    expect(
      await notificationsOf(run(sql`update users set is_admin = false where id = ${admin.id}`)),
    ).toBe(1);
  });

  it("announces a session ended and a token revoked, and not a session begun or a token used", async () => {
    const sessionId = "notify-test-session";
    expect(
      await notificationsOf(
        run(sql`insert into sessions (id, user_id, expires_at)
                values (${sessionId}, ${admin.id}, now() + interval '1 day')`),
      ),
    ).toBe(0);
    expect(await notificationsOf(run(sql`delete from sessions where id = ${sessionId}`))).toBe(1);
    const { id: tokenId } = await createApiToken(database.db, admin.id, "notify");
    expect(
      await notificationsOf(
        run(sql`update api_tokens set last_used_at = now() where id = ${tokenId}`),
      ),
    ).toBe(0);
    expect(
      await notificationsOf(
        run(sql`update api_tokens set revoked_at = now() where id = ${tokenId}`),
      ),
    ).toBe(1);
  });

  it("announces a transaction's changes once, at its commit, and a rolled-back one never", async () => {
    const disable = sql`update users set disabled_at = now() where id = ${member.id}`;
    expect(
      await notificationsOf(() =>
        database.db.transaction().execute(async (trx) => {
          await disable.execute(trx);
          await sql`delete from sessions where user_id = ${member.id}`.execute(trx);
          await disable.execute(trx);
        }),
      ),
    ).toBe(1);
    expect(
      await notificationsOf(() =>
        database.db
          .transaction()
          .execute(async (trx) => {
            await disable.execute(trx);
            throw new Error("rolled back");
          })
          .catch(() => undefined),
      ),
    ).toBe(0);
  });
});

describe.skipIf(!process.env.DATABASE_URL)(
  "listening on PostgreSQL (needs DATABASE_URL; skipped otherwise)",
  () => {
    it("listens again after losing its connection, and announces that it may have missed some", async () => {
      const database = await openTestDatabase();
      const url = new URL(process.env.DATABASE_URL!);
      url.pathname = `/${(await sql<{ name: string }>`select current_database() as name`.execute(database.db)).rows[0]!.name}`;
      let heard = 0;
      const stop = await database.listen!(ACCESS_CHANNEL, () => {
        heard += 1;
      });
      const admin = new pg.Client({ connectionString: url.toString() });
      await admin.connect();
      try {
        const waitFor = async (count: number) => {
          const deadline = Date.now() + 10_000;
          while (heard < count && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
          expect(heard).toBe(count);
        };
        await admin.query(`select pg_notify('${ACCESS_CHANNEL}', '')`);
        await waitFor(1);
        const { rows } = await admin.query<{ ended: boolean }>(
          `select pg_terminate_backend(pid) as ended from pg_stat_activity
           where datname = current_database() and query ilike 'listen%'`,
        );
        expect(rows).toEqual([{ ended: true }]);
        // Back after its first retry: told once that it may have missed something.
        await waitFor(2);
        await admin.query(`select pg_notify('${ACCESS_CHANNEL}', '')`);
        await waitFor(3);
      } finally {
        await admin.end();
        await stop();
        await database.drop();
      }
    });
  },
);
