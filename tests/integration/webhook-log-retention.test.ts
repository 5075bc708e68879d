import fc from "fast-check";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db/client.ts";
import type { User } from "../../db/schema.ts";
import { createProject } from "../../server/services/project-admin.ts";
import { createUser } from "../../server/services/users.ts";
import { pruneWebhookLog } from "../../server/services/webhooks/log-retention.ts";
import { openTestDatabase } from "../setup/database.ts";

/**
 * The delivery log keeps what is younger than its retention and, whatever its age, the latest
 * attempts each endpoint's log shows; nothing else survives a pruning.
 */
describe("the webhook delivery log's retention", { timeout: 120_000 }, () => {
  let database: DatabaseHandle & { drop(): Promise<void> };
  let admin: User;
  let projectId: number;

  beforeAll(async () => {
    database = await openTestDatabase();
    admin = await createUser(database.db, {
      email: "admin@retention.test",
      name: "Admin",
      password: "correct horse battery staple",
      isAdmin: true,
    });
    ({ id: projectId } = await createProject(database.db, admin, {
      name: "Retention",
      template: { fields: [{ id: "verdict", type: "choice", label: "Verdict", options: ["a"] }] },
    }));
  });
  afterAll(() => database?.drop());

  async function endpoint(): Promise<number> {
    const { id } = await database.db
      .insertInto("webhook_endpoints")
      .values({
        project_id: projectId,
        url: "https://93.184.216.34/hook",
        secret: "whsec_test",
        event_types: ["item.published"],
        after_event_id: 0,
        created_by: admin.id,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return id;
  }

  it("deletes exactly the attempts older than the retention beyond each endpoint's latest", async () => {
    const keepDays = 30;
    // Fewer than the log's 100, so that short logs reach past them and what is young is not
    // always among the latest.
    const keepLatest = 4;
    // Per endpoint, its attempts' ages in days, oldest first as the log appends them.
    const endpointsLogs = fc.array(
      fc
        .array(fc.integer({ min: 0, max: 60 }), {
          maxLength: 20,
          // Lengths across the whole range: past the attempts always kept, too.
          size: "max",
        })
        .map((ages) => ages.sort((a, b) => b - a)),
      { minLength: 1, maxLength: 3 },
    );
    await fc.assert(
      fc.asyncProperty(endpointsLogs, async (logs) => {
        await database.db.deleteFrom("webhook_endpoints").execute();
        const expected = new Map<number, number[]>();
        for (const ages of logs) {
          const endpointId = await endpoint();
          const ids: number[] = [];
          for (const [index, age] of ages.entries()) {
            const { id } = await database.db
              .insertInto("webhook_attempts")
              .values({
                endpoint_id: endpointId,
                event_id: index + 1,
                attempt: 1,
                status_code: 200,
                error: null,
                duration_ms: 5,
                outcome: "delivered",
                // Half a day off the boundary, so that the test's clock and the database's agree.
                created_at: sql<Date>`now() - make_interval(hours => ${age * 24 + (age >= keepDays ? 12 : -12)})`,
              })
              .returning("id")
              .executeTakeFirstOrThrow();
            ids.push(Number(id));
          }
          const latest = new Set(ids.slice(-keepLatest));
          expected.set(
            endpointId,
            ids.filter((id, index) => latest.has(id) || ages[index]! < keepDays),
          );
        }
        const deleted = await pruneWebhookLog(
          database.db,
          { keepDays, keepLatest },
          new AbortController().signal,
        );
        const rows = await database.db
          .selectFrom("webhook_attempts")
          .select(["id", "endpoint_id"])
          .orderBy("id")
          .execute();
        const kept = new Map<number, number[]>([...expected.keys()].map((id) => [id, []]));
        for (const row of rows) kept.get(row.endpoint_id)!.push(Number(row.id));
        expect(kept).toEqual(expected);
        const total = logs.reduce((sum, ages) => sum + ages.length, 0);
        expect(deleted).toBe(total - rows.length);
      }),
      { numRuns: 12 },
    );
  });
});
