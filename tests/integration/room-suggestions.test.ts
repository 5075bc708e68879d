import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCast, disputedItem, type Cast } from "../setup/adjudication.ts";
import { signInCookie } from "../setup/page-session.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";

/**
 * The room's suggestions over HTTP: for a disputed item whose three experts said A is better
 * (−1) and B is better (+1, +2), the majority direction is B; the model agrees on one item.
 */
const PASSWORD = "correct horse battery staple";

let server: TestServer;
let cast: Cast;

beforeAll(async () => {
  server = await startTestServer();
  cast = await createCast(server);
});

afterAll(async () => {
  await server?.stop();
});

async function suggestionsAs(email: string | null, itemId: number | string) {
  const headers: Record<string, string> = email
    ? { Cookie: await signInCookie(server.url, email, PASSWORD) }
    : {};
  const response = await fetch(`${server.url}/items/${itemId}/suggestions`, { headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("GET /items/:id/suggestions", () => {
  it("gives the lead the majority and Dawid–Skene's answer for each categorical field", async () => {
    const { itemId } = await disputedItem(cast);
    const { status, body } = await suggestionsAs(cast.lead.email, itemId);
    expect(status).toBe(200);
    expect(body.suggestions).toEqual([
      {
        fieldId: "preference",
        votes: 3,
        majority: 1,
        dawidSkene: { value: 1, probability: expect.any(Number) },
      },
    ]);
    const [preference] = body.suggestions as Array<{ dawidSkene: { probability: number } }>;
    expect(preference!.dawidSkene.probability).toBeGreaterThan(0.5);
    expect(preference!.dawidSkene.probability).toBeLessThanOrEqual(1);
  });

  it("refuses those who may not open the room: an annotator still blind, an outsider, nobody", async () => {
    const { itemId } = await disputedItem(cast);
    const blind = await suggestionsAs(cast.invited.email, itemId);
    expect(blind.status).toBeGreaterThanOrEqual(403);
    expect(blind.status).toBeLessThanOrEqual(404);
    expect(blind.body).not.toHaveProperty("suggestions");
    const outsider = await suggestionsAs(cast.outsider.email, itemId);
    expect([403, 404]).toContain(outsider.status);
    expect((await suggestionsAs(null, itemId)).status).toBe(401);
    expect((await suggestionsAs(cast.lead.email, "12abc")).status).toBe(404);
  });
});
