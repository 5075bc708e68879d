import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiToken } from "../../server/services/auth.ts";
import { apiClient, type ApiClient } from "../setup/api-client.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";

/**
 * Admins changing each other at the same moment: an admin whose rights another admin takes away
 * meanwhile changes nobody, so two admins cannot take each other's rights away at once.
 */

let server: TestServer;
let restorer: ApiClient;
const admins: Array<{ id: number; api: ApiClient }> = [];

beforeAll(async () => {
  server = await startTestServer();
  restorer = apiClient(
    server.url,
    (await server.createUserWithToken({ email: "restorer@example.test", isAdmin: true })).token,
  );
  for (const email of ["first@example.test", "second@example.test"]) {
    const { userId, token } = await server.createUserWithToken({ email, isAdmin: true });
    admins.push({ id: userId, api: apiClient(server.url, token) });
  }
});
afterAll(() => server?.stop());

describe("admins changing each other at once", { timeout: 120_000 }, () => {
  for (const [what, change] of [
    ["take each other's admin rights", { isAdmin: false }],
    ["disable each other", { disabled: true }],
  ] as const) {
    it(`leaves one of them an admin when both ${what}`, async () => {
      const [first, second] = admins as [(typeof admins)[0], (typeof admins)[0]];
      for (let round = 0; round < 20; round++) {
        // Both admins again, with new tokens (disabling revokes a user's tokens).
        for (const admin of admins) {
          await restorer.patch(`/users/${admin.id}`, { isAdmin: true, disabled: false });
          const { token } = await createApiToken(server.context.db, admin.id, `round ${round}`);
          admin.api = apiClient(server.url, token);
        }
        const answers = await Promise.all([
          first.api.patch(`/users/${second.id}`, change),
          second.api.patch(`/users/${first.id}`, change),
        ]);
        const statuses = answers.map((answer) => answer.status).sort((a, b) => a - b);
        const { body } = await restorer.get<{
          users: Array<{ id: number; isAdmin: boolean; disabled: boolean }>;
        }>("/users");
        const stillAdmins = body.users.filter(
          (user) =>
            (user.id === first.id || user.id === second.id) && user.isAdmin && !user.disabled,
        );
        expect(stillAdmins, `round ${round}, answers ${statuses.join(", ")}`).toHaveLength(1);
        // The one refused was no longer an admin, or no longer signed in (disabled), by the
        // time its change came to be made.
        expect(statuses).toEqual([200, expect.toBeOneOf([401, 403])]);
      }
    });
  }
});
