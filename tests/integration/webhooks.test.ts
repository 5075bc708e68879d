import fc from "fast-check";
import { createHmac } from "node:crypto";
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import path from "node:path";
import { Webhook } from "standardwebhooks";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../db/client.ts";
import { migrateToLatest } from "../../db/migrate.ts";
import { createApiToken } from "../../server/services/auth.ts";
import { createUser } from "../../server/services/users.ts";
import {
  redeliverySchema,
  webhookDeliveriesSchema,
  webhookSchema,
} from "../../server/http/openapi/schemas.ts";
import { isPrivateAddress } from "../../server/services/webhooks/addresses.ts";
import { retryDelayMs } from "../../server/services/webhooks/dispatcher.ts";
import {
  createCast,
  createProject,
  disputedLabels,
  labelledItem,
  responses,
  type Cast,
} from "../setup/adjudication.ts";
import { apiClient } from "../setup/api-client.ts";
import { createTestDatabase, type TestDatabase } from "../setup/database.ts";
import {
  killQuorumProcess,
  startQuorumProcess,
  type QuorumProcess,
} from "../setup/quorum-process.ts";
import { postPageForm, signInCookie } from "../setup/page-session.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";

interface Received {
  headers: Record<string, string>;
  body: string;
  type: string;
  data: Record<string, unknown>;
}

/**
 * A real HTTP receiver on this host. `answer` decides each response from the number of requests
 * so far (1 for the first); returning null leaves the request hanging.
 */
async function startReceiver(answer: (count: number) => number | null = () => 200) {
  const received: Received[] = [];
  const waiting: Array<() => void> = [];
  const server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      const parsed = JSON.parse(body) as { type: string; data: Record<string, unknown> };
      received.push({
        headers: request.headers as Record<string, string>,
        body,
        type: parsed.type,
        data: parsed.data,
      });
      for (const wake of waiting.splice(0)) wake();
      const status = answer(received.length);
      if (status === null) return;
      response.writeHead(status, status >= 300 && status < 400 ? { Location: "/elsewhere" } : {});
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    /** Resolves once `count` requests have arrived (within 20 s). */
    async until(count: number): Promise<Received[]> {
      const deadline = Date.now() + 20_000;
      while (received.length < count) {
        if (Date.now() > deadline) {
          throw new Error(`expected ${count} webhook requests, got ${received.length}`);
        }
        await new Promise<void>((resolve) => {
          waiting.push(resolve);
          setTimeout(resolve, 200);
        });
      }
      return received;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/**
 * A receiver that starts its answer at once and then sends one more header line every 300 ms,
 * for as long as the connection stays open: never silent, never done.
 */
async function startTricklingReceiver() {
  const sockets = new Set<net.Socket>();
  let requests = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.once("data", () => {
      requests += 1;
      socket.write("HTTP/1.1 200 OK\r\n");
      const trickle = setInterval(() => socket.write("x-still-thinking: yes\r\n"), 300);
      socket.on("close", () => {
        clearInterval(trickle);
        sockets.delete(socket);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const PASSWORD = "correct horse battery staple";

const fast = {
  WEBHOOK_POLL_SECONDS: "0.05",
  WEBHOOK_RETRY_BASE_SECONDS: "0.1",
  WEBHOOK_TIMEOUT_SECONDS: "2",
  WEBHOOK_LEASE_SECONDS: "2",
};

let server: TestServer;
let cast: Cast;
const receivers: Receiver[] = [];

beforeAll(async () => {
  server = await startTestServer(fast);
  cast = await createCast(server);
});

afterAll(async () => {
  await server?.stop();
});

afterEach(async () => {
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
});

async function receiver(answer?: (count: number) => number | null): Promise<Receiver> {
  const started = await startReceiver(answer);
  receivers.push(started);
  return started;
}

async function projectOfTheCast(): Promise<number> {
  const created = await cast.admin.api.post<{ project: { id: number } }>("/projects", {
    name: "Webhooks",
    template: {
      fields: [{ id: "verdict", type: "choice", label: "Verdict", options: ["x", "y"] }],
    },
  });
  expect(created.status).toBe(201);
  const projectId = created.body.project.id;
  await cast.admin.api.post(`/projects/${projectId}/members`, {
    email: cast.lead.email,
    role: "lead",
  });
  return projectId;
}

async function register(
  projectId: number,
  url: string,
  events: string[],
): Promise<{ id: number; secret: string }> {
  const created = await cast.admin.api.post<{ webhook: { id: number; secret: string } }>(
    `/projects/${projectId}/webhooks`,
    { url, events, allowPrivateAddresses: true },
  );
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.webhook;
}

async function importItems(projectId: number, externalIds: string[]): Promise<void> {
  const imported = await cast.lead.api.post(
    `/projects/${projectId}/items`,
    externalIds.map((externalId) => ({ externalId, prompt: "Which?", responses })),
  );
  expect(imported.status, JSON.stringify(imported.body)).toBeLessThan(300);
}

describe("webhooks", { timeout: 60_000 }, () => {
  it("signs each request per Standard Webhooks, with the event's data, in order", async () => {
    const hook = await receiver();
    const projectId = await createProject(cast, { overlap: 3 });
    const webhook = await register(projectId, hook.url, ["annotation.submitted", "item.disputed"]);
    const itemId = await labelledItem(
      cast,
      projectId,
      cast.experts.map((expert, index) => [expert, disputedLabels[index]!]),
    );
    const requests = await hook.until(4);
    expect(requests.map((request) => request.type)).toEqual([
      "annotation.submitted",
      "annotation.submitted",
      "annotation.submitted",
      "item.disputed",
    ]);
    expect(
      requests.slice(0, 3).map((request) => (request.data.annotator as { id: number }).id),
    ).toEqual(cast.experts.map((expert) => expert.id));
    expect(requests[3]!.data).toMatchObject({ projectId, itemId });
    for (const request of requests) {
      const verified = new Webhook(webhook.secret).verify(request.body, request.headers);
      expect(verified).toMatchObject({ type: request.type });
      expect(request.headers["webhook-id"]).toBe(`evt_${String(request.data.eventId)}`);
      // By hand, as docs/api.md says: the key is the secret's base64 after `whsec_`, decoded.
      const key = Buffer.from(webhook.secret.slice("whsec_".length), "base64");
      const signed = `${request.headers["webhook-id"]}.${request.headers["webhook-timestamp"]}.${request.body}`;
      const expected = `v1,${createHmac("sha256", key).update(signed).digest("base64")}`;
      expect(request.headers["webhook-signature"]!.split(" ")).toContain(expected);
      expect(
        Math.abs(Date.now() / 1000 - Number(request.headers["webhook-timestamp"])),
      ).toBeLessThan(300);
    }
    // The label itself stays out of a submission's event: only which fields it filled.
    expect(requests[0]!.body).not.toContain("The dose ignores the INR");
    const tampered = { ...requests[0]!.headers, "webhook-signature": "v1,AAAA" };
    expect(() => new Webhook(webhook.secret).verify(requests[0]!.body, tampered)).toThrow();
  });

  it("delivers an endpoint's events in the order they happened, only the types it asked for", async () => {
    const hook = await receiver();
    const projectId = await projectOfTheCast();
    await register(projectId, hook.url, ["import.completed"]);
    for (const batch of ["a", "b", "c", "d"]) await importItems(projectId, [`${batch}-1`]);
    const requests = await hook.until(4);
    expect(requests.map((request) => request.type)).toEqual(Array(4).fill("import.completed"));
    const ids = requests.map((request) => Number(request.data.eventId));
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(new Set(ids).size).toBe(4);
  });

  it("retries after 500s with growing delays, then delivers, and logs every attempt", async () => {
    const hook = await receiver((count) => (count <= 2 ? 500 : 200));
    const projectId = await projectOfTheCast();
    const webhook = await register(projectId, hook.url, ["import.completed"]);
    await importItems(projectId, ["retried"]);
    const requests = await hook.until(3);
    expect(new Set(requests.map((request) => request.headers["webhook-id"])).size).toBe(1);
    const log = await cast.lead.api.get<{
      attempts: Array<{ attempt: number; outcome: string; statusCode: number | null }>;
      waiting: number;
    }>(`/webhooks/${webhook.id}/deliveries`);
    expect(log.status).toBe(200);
    // The last attempt is logged once the receiver has answered, a moment after its request.
    await expect
      .poll(
        async () => {
          const latest = await cast.lead.api.get<{ attempts: Array<{ outcome: string }> }>(
            `/webhooks/${webhook.id}/deliveries`,
          );
          return latest.body.attempts.map((attempt) => attempt.outcome);
        },
        { timeout: 10_000 },
      )
      .toEqual(["delivered", "failed", "failed"]);
    expect(retryDelayMs(10_000, 1)).toBe(10_000);
    expect(retryDelayMs(10_000, 4)).toBe(80_000);
    expect(retryDelayMs(10_000, 30)).toBe(60 * 60 * 1000);
  });

  it("counts a redirect, a hang and an unreachable receiver as failures, and redelivers on demand", async () => {
    const redirecting = await receiver(() => 302);
    const projectId = await projectOfTheCast();
    const webhook = await register(projectId, redirecting.url, ["import.completed"]);
    await importItems(projectId, ["redirected"]);
    const [first] = await redirecting.until(1);
    // The latest attempt's error, polled: each next try waits out the retry delay the failure
    // before it set, which with a round of the dispatcher can pass the one second a poll waits
    // by default on a loaded machine.
    const latestError = (pattern: RegExp) =>
      expect
        .poll(
          async () => {
            const log = await cast.lead.api.get<{ attempts: Array<{ error: string | null }> }>(
              `/webhooks/${webhook.id}/deliveries`,
            );
            return log.body.attempts[0]?.error ?? "";
          },
          { timeout: 10_000 },
        )
        .toMatch(pattern);
    await latestError(/redirects are not followed \(302/);

    // Only an admin may point an endpoint at a private address (here, this host).
    const hanging = await receiver(() => null);
    const moved = await cast.admin.api.patch(`/webhooks/${webhook.id}`, { url: hanging.url });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    await hanging.until(1);
    await latestError(/no answer within 2 s/);

    const closed = await receiver();
    await closed.close();
    await cast.admin.api.patch(`/webhooks/${webhook.id}`, { url: closed.url });
    await latestError(/ECONNREFUSED/);

    const fixed = await receiver();
    await cast.admin.api.patch(`/webhooks/${webhook.id}`, { url: fixed.url, enabled: false });
    const eventId = Number(first!.data.eventId);
    const redelivered = await cast.lead.api.post<{
      delivery: { delivered: boolean; attempt: number };
    }>(`/webhooks/${webhook.id}/deliveries/${eventId}/redeliver`, {});
    expect(redelivered.status, JSON.stringify(redelivered.body)).toBe(200);
    expect(redelivered.body.delivery.delivered).toBe(true);
    // The answers are those the API reference documents.
    expect(redeliverySchema.safeParse(redelivered.body.delivery).error).toBeUndefined();
    const documented = await cast.lead.api.get(`/webhooks/${webhook.id}/deliveries`);
    expect(webhookDeliveriesSchema.safeParse(documented.body).error).toBeUndefined();
    expect(fixed.received).toHaveLength(1);
    const state = await cast.lead.api.get<{
      webhook: { delivery: { throughEventId: number; failedAttempts: number } };
      waiting: number;
    }>(`/webhooks/${webhook.id}/deliveries`);
    // The event it was stuck on got through by hand: the endpoint moved past it.
    expect(state.body.webhook.delivery).toMatchObject({
      throughEventId: eventId,
      failedAttempts: 0,
    });
    expect(state.body.waiting).toBe(0);
  });

  it("bounds a request by the timeout however its answer trickles in, and holds back no other endpoint meanwhile", async () => {
    const trickling = await startTricklingReceiver();
    try {
      const slowProject = await projectOfTheCast();
      const slow = await register(slowProject, trickling.url, ["import.completed"]);
      const quick = await receiver();
      const quickProject = await projectOfTheCast();
      await register(quickProject, quick.url, ["import.completed"]);

      await importItems(slowProject, ["slow"]);
      await expect.poll(() => trickling.requests(), { timeout: 10_000 }).toBeGreaterThan(0);
      // While the slow receiver keeps its request open, another project's event goes out.
      await importItems(quickProject, ["quick"]);
      const [delivered] = await quick.until(1);
      expect(delivered!.type).toBe("import.completed");

      // The slow one fails at the timeout (2 s here), although bytes kept coming.
      await expect
        .poll(
          async () => {
            const log = await cast.admin.api.get<{
              attempts: Array<{ error: string | null; durationMs: number }>;
            }>(`/webhooks/${slow.id}/deliveries`);
            return log.body.attempts[0] ?? null;
          },
          { timeout: 15_000 },
        )
        .toMatchObject({ error: expect.stringMatching(/no answer within 2 s/) });
      const log = await cast.admin.api.get<{ attempts: Array<{ durationMs: number }> }>(
        `/webhooks/${slow.id}/deliveries`,
      );
      for (const attempt of log.body.attempts) expect(attempt.durationMs).toBeLessThan(4_000);
    } finally {
      await trickling.close();
    }
  });

  it("shares the instance's sending among endpoints, however many slow receivers one project has", async () => {
    // Ten endpoints (as many as an instance sends to at once), each with a backlog of events
    // and a receiver that takes most of the timeout to answer each.
    const warnings: string[] = [];
    const noteWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on("warning", noteWarning);
    let slowRequests = 0;
    const slowServer = http.createServer((request, response) => {
      request.resume();
      slowRequests += 1;
      setTimeout(() => response.end(), 1_500);
    });
    await new Promise<void>((resolve) => slowServer.listen(0, "127.0.0.1", resolve));
    const slowUrl = `http://127.0.0.1:${(slowServer.address() as AddressInfo).port}/hook`;
    try {
      const slowProject = await projectOfTheCast();
      for (let endpoint = 0; endpoint < 10; endpoint++) {
        await register(slowProject, slowUrl, ["import.completed"]);
      }
      for (let batch = 0; batch < 10; batch++) await importItems(slowProject, [`slow-${batch}`]);
      await expect.poll(() => slowRequests, { timeout: 10_000 }).toBeGreaterThanOrEqual(10);

      const quick = await receiver();
      const quickProject = await projectOfTheCast();
      await register(quickProject, quick.url, ["import.completed"]);
      await importItems(quickProject, ["quick"]);
      const waitingSince = Date.now();
      const [delivered] = await quick.until(1);
      expect(delivered!.type).toBe("import.completed");
      expect(Date.now() - waitingSince, "how long the other project's event waited").toBeLessThan(
        6_000,
      );
      // Every place busy, one request closing: within the listeners the dispatcher allows.
      await expect.poll(() => slowRequests, { timeout: 20_000 }).toBeGreaterThanOrEqual(40);
      expect(warnings.filter((warning) => warning.startsWith("MaxListeners"))).toEqual([]);
    } finally {
      process.off("warning", noteWarning);
      await new Promise<void>((resolve) => {
        slowServer.closeAllConnections();
        slowServer.close(() => resolve());
      });
    }
  });

  it("takes an admin's leave to reach private addresses away when someone else moves the endpoint", async () => {
    const projectId = await projectOfTheCast();
    const webhook = await register(projectId, "http://127.0.0.1:9/hook", ["item.published"]);
    const intoTheNetwork = await cast.lead.api.patch<{ error: { details: unknown } }>(
      `/webhooks/${webhook.id}`,
      { url: "http://169.254.169.254/latest/meta-data/" },
    );
    expect(intoTheNetwork.status, JSON.stringify(intoTheNetwork.body)).toBe(422);
    const stillThere = await cast.lead.api.get<{
      webhook: { url: string; allowPrivateAddresses: boolean };
    }>(`/webhooks/${webhook.id}/deliveries`);
    expect(stillThere.body.webhook).toMatchObject({
      url: "http://127.0.0.1:9/hook",
      allowPrivateAddresses: true,
    });

    // Other changes keep it; a move to a public address drops it.
    const paused = await cast.lead.api.patch(`/webhooks/${webhook.id}`, { enabled: false });
    expect(paused.body).toMatchObject({ webhook: { allowPrivateAddresses: true } });
    const moved = await cast.lead.api.patch(`/webhooks/${webhook.id}`, {
      url: "http://93.184.216.34/hook",
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body).toMatchObject({ webhook: { allowPrivateAddresses: false } });

    // An admin may move it back inside and allow it again.
    const back = await cast.admin.api.patch(`/webhooks/${webhook.id}`, {
      url: "http://127.0.0.1:9/other",
      allowPrivateAddresses: true,
    });
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    expect((await cast.lead.api.delete(`/webhooks/${webhook.id}`)).status).toBe(204);
  });

  it("checks IPv6 addresses that carry an IPv4 address as that address", () => {
    const octet = fc.integer({ min: 0, max: 255 });
    const toHex = (high: number, low: number) => ((high << 8) | low).toString(16);
    fc.assert(
      fc.property(octet, octet, octet, octet, (a, b, c, d) => {
        const ipv4 = `${a}.${b}.${c}.${d}`;
        const expected = isPrivateAddress(ipv4);
        for (const carrier of [
          `::${ipv4}`,
          `64:ff9b::${ipv4}`,
          `64:ff9b::${toHex(a, b)}:${toHex(c, d)}`,
          `2002:${toHex(a, b)}:${toHex(c, d)}::1`,
          `::ffff:${ipv4}`,
          `::ffff:0:${ipv4}`,
          `::ffff:0:${toHex(a, b)}:${toHex(c, d)}`,
        ]) {
          expect(isPrivateAddress(carrier), carrier).toBe(expected);
        }
      }),
      { numRuns: 300 },
    );
    expect(isPrivateAddress("64:ff9b:1::808:808"), "local-use NAT64").toBe(true);
    expect(isPrivateAddress("fec0::1"), "site-local").toBe(true);
    expect(isPrivateAddress("2606:2800:220:1::1")).toBe(false);
  });

  it("refuses private addresses to everyone but an admin, and other people's webhooks", async () => {
    const projectId = await projectOfTheCast();
    for (const url of ["http://127.0.0.1:9/hook", "http://[::1]/hook", "http://10.1.2.3/x"]) {
      const refused = await cast.lead.api.post<{ error: { details: unknown } }>(
        `/projects/${projectId}/webhooks`,
        { url, events: ["item.published"] },
      );
      expect(refused.status, url).toBe(422);
    }
    // A name is refused for where it leads without saying which address it resolved to: a lead
    // could otherwise map the network's internal names one request at a time.
    const internalName = await cast.lead.api.post(`/projects/${projectId}/webhooks`, {
      url: "http://localhost:9/hook",
      events: ["item.published"],
    });
    expect(internalName.status).toBe(422);
    expect(JSON.stringify(internalName.body)).toContain("private or local address");
    expect(JSON.stringify(internalName.body)).not.toMatch(/127\.0\.0\.1|::1/);
    const notAdmin = await cast.lead.api.post(`/projects/${projectId}/webhooks`, {
      url: "http://127.0.0.1:9/hook",
      events: ["item.published"],
      allowPrivateAddresses: true,
    });
    expect(notAdmin.status).toBe(422);
    const badScheme = await cast.lead.api.post(`/projects/${projectId}/webhooks`, {
      url: "file:///etc/passwd",
      events: ["item.published"],
    });
    expect(badScheme.status).toBe(422);
    const badEvent = await cast.lead.api.post(`/projects/${projectId}/webhooks`, {
      url: "https://example.test/hook",
      events: ["item.exploded"],
    });
    expect(badEvent.status).toBe(422);

    const webhook = await register(projectId, "http://127.0.0.1:9/hook", ["item.published"]);
    const listed = await cast.lead.api.get<{ webhooks: Array<Record<string, unknown>> }>(
      `/projects/${projectId}/webhooks`,
    );
    expect(listed.body.webhooks).toHaveLength(1);
    expect(webhookSchema.safeParse(listed.body.webhooks[0]).error).toBeUndefined();
    expect(listed.body.webhooks[0]).not.toHaveProperty("secret");
    for (const person of [cast.experts[0], cast.client, cast.outsider]) {
      expect(
        (await person.api.get(`/projects/${projectId}/webhooks`)).status,
      ).toBeGreaterThanOrEqual(403);
      expect((await person.api.get(`/webhooks/${webhook.id}/deliveries`)).status).toBe(404);
      expect((await person.api.delete(`/webhooks/${webhook.id}`)).status).toBe(404);
    }
    expect((await cast.lead.api.delete(`/webhooks/${webhook.id}`)).status).toBe(204);

    for (const address of [
      "127.0.0.1",
      "10.0.0.1",
      "192.168.1.1",
      "169.254.169.254",
      "::1",
      "fd00::1",
      "::ffff:127.0.0.1",
    ]) {
      expect(isPrivateAddress(address), address).toBe(true);
    }
    for (const address of ["93.184.216.34", "2606:2800:220:1::1", "8.8.8.8"]) {
      expect(isPrivateAddress(address), address).toBe(false);
    }
  });
});

interface ListedWebhook {
  id: number;
  owner: { id: number; name: string } | null;
  paused: boolean;
}

async function listedWebhook(projectId: number, webhookId: number): Promise<ListedWebhook> {
  const listed = await cast.admin.api.get<{ webhooks: ListedWebhook[] }>(
    `/projects/${projectId}/webhooks`,
  );
  expect(listed.status).toBe(200);
  const webhook = listed.body.webhooks.find((entry) => entry.id === webhookId);
  if (!webhook) throw new Error(`webhook ${webhookId} is not listed`);
  expect(webhookSchema.safeParse(webhook).error).toBeUndefined();
  return webhook;
}

/** Waits long enough for many looks of the dispatcher (it looks every 50 ms here). */
const severalLooks = () => new Promise((resolve) => setTimeout(resolve, 1_500));

describe("a webhook's owner", { timeout: 60_000 }, () => {
  it("sends nothing once its owner no longer leads the project, until a lead takes it over", async () => {
    const hook = await receiver();
    const projectId = await projectOfTheCast();
    const webhook = await register(projectId, hook.url, ["import.completed"]);
    const adminImport = async (externalId: string) => {
      const imported = await cast.admin.api.post(`/projects/${projectId}/items`, [
        { externalId, prompt: "Which?", responses },
      ]);
      expect(imported.status, JSON.stringify(imported.body)).toBeLessThan(300);
    };
    expect(await listedWebhook(projectId, webhook.id)).toMatchObject({
      owner: { id: cast.admin.id },
      paused: false,
    });

    // The lead saves it and answers for it from then on.
    const saved = await cast.lead.api.patch<{ webhook: ListedWebhook }>(`/webhooks/${webhook.id}`, {
      enabled: true,
    });
    expect(saved.status).toBe(200);
    expect(saved.body.webhook).toMatchObject({ owner: { id: cast.lead.id }, paused: false });
    await adminImport("while-lead");
    await hook.until(1);

    // Made a client (another lead keeps the project led): nothing more reaches the lead's URL.
    await cast.admin.api.post(`/projects/${projectId}/members`, {
      email: cast.outsider.email,
      role: "lead",
    });
    const demoted = await cast.admin.api.post(`/projects/${projectId}/members`, {
      email: cast.lead.email,
      role: "client",
    });
    expect(demoted.status).toBe(200);
    expect(await listedWebhook(projectId, webhook.id)).toMatchObject({
      owner: { id: cast.lead.id },
      paused: true,
    });
    await adminImport("while-client");
    await severalLooks();
    expect(hook.received).toHaveLength(1);
    const waiting = await cast.outsider.api.get<{ waiting: number }>(
      `/webhooks/${webhook.id}/deliveries`,
    );
    expect(waiting.body.waiting).toBe(1);

    // The other lead sees why on the page and takes it over there: what waited is sent.
    const cookie = await signInCookie(server.url, cast.outsider.email, PASSWORD);
    const page = await fetch(`${server.url}/projects/${projectId}/webhooks`, {
      headers: { Cookie: cookie },
    });
    const html = await page.text();
    expect(html).toContain("may no longer manage this project&#x27;s webhooks");
    expect(html).toContain("Take over");
    const takenOver = await postPageForm(server.url, cookie, `/projects/${projectId}/webhooks`, {
      intent: "enable",
      webhookId: String(webhook.id),
      enabled: "true",
    });
    expect(takenOver.status).toBeLessThan(400);
    expect(await listedWebhook(projectId, webhook.id)).toMatchObject({
      owner: { id: cast.outsider.id },
      paused: false,
    });
    await hook.until(2);

    // Removed from the project, the new owner's endpoint pauses as well.
    const removed = await cast.admin.api.delete(
      `/projects/${projectId}/members/${cast.outsider.id}`,
    );
    expect(removed.status).toBeLessThan(300);
    await adminImport("after-removal");
    await severalLooks();
    expect(hook.received).toHaveLength(2);
    expect(await listedWebhook(projectId, webhook.id)).toMatchObject({ paused: true });
    // The lead made client again cannot take it over: saving it is a lead's or admin's.
    expect((await cast.lead.api.patch(`/webhooks/${webhook.id}`, { enabled: true })).status).toBe(
      404,
    );
  });

  it("is able to send exactly while they lead the project or are an admin, and are not disabled", async () => {
    const projectId = await projectOfTheCast();
    const roles = ["lead", "annotator", "client", null] as const;
    const cases = roles.flatMap((role) =>
      [false, true].flatMap((isAdmin) =>
        [false, true].map((disabled) => ({ role, isAdmin, disabled })),
      ),
    );
    for (const [index, { role, isAdmin, disabled }] of cases.entries()) {
      const email = `owner-${projectId}-${index}@example.test`;
      const { userId, token } = await server.createUserWithToken({ email, isAdmin });
      const owner = apiClient(server.url, token);
      // Everyone owns the endpoint as a lead first, then takes on the case's role and state.
      await cast.admin.api.post(`/projects/${projectId}/members`, { email, role: "lead" });
      const created = await owner.post<{ webhook: ListedWebhook }>(
        `/projects/${projectId}/webhooks`,
        { url: "https://93.184.216.34/hook", events: ["item.published"] },
      );
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      if (role === null) {
        await cast.admin.api.delete(`/projects/${projectId}/members/${userId}`);
      } else {
        await cast.admin.api.post(`/projects/${projectId}/members`, { email, role });
      }
      if (disabled) await cast.admin.api.patch(`/users/${userId}`, { disabled: true });
      const mayManage = (role === "lead" || isAdmin) && !disabled;
      const listed = await listedWebhook(projectId, created.body.webhook.id);
      expect(listed.paused, JSON.stringify({ role, isAdmin, disabled })).toBe(!mayManage);
      // Deleting every endpoint keeps the project under its cap of endpoints.
      await cast.admin.api.delete(`/webhooks/${created.body.webhook.id}`);
    }
  });
});

describe("the webhooks page", { timeout: 60_000 }, () => {
  async function post(cookie: string, projectId: number, form: Array<[string, string]>) {
    const response = await fetch(`${server.url}/projects/${projectId}/webhooks?index`, {
      method: "POST",
      headers: {
        Cookie: cookie,
        Origin: server.url,
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams(form),
      redirect: "manual",
    });
    return { status: response.status, html: await response.text() };
  }

  it("lets an admin add an endpoint, shows its secret once, and logs deliveries to redeliver", async () => {
    const hook = await receiver();
    const projectId = await projectOfTheCast();
    const cookie = await signInCookie(server.url, cast.admin.email, PASSWORD);
    const added = await post(cookie, projectId, [
      ["intent", "create"],
      ["url", hook.url],
      ["events", "import.completed"],
      ["allowPrivateAddresses", "on"],
    ]);
    expect(added.status, added.html.slice(0, 500)).toBe(200);
    const secret = /whsec_[A-Za-z0-9+/=]+/.exec(added.html)?.[0];
    expect(secret).toBeDefined();
    await importItems(projectId, ["from-the-page"]);
    const [request] = await hook.until(1);
    expect(new Webhook(secret!).verify(request!.body, request!.headers)).toMatchObject({
      type: "import.completed",
    });
    // The attempt is logged once the receiver has answered, a moment after it got the request.
    let html = "";
    await expect
      .poll(
        async () => {
          const page = await fetch(`${server.url}/projects/${projectId}/webhooks`, {
            headers: { Cookie: cookie },
          });
          expect(page.status).toBe(200);
          html = await page.text();
          return html;
        },
        { timeout: 10_000 },
      )
      .toContain("Redeliver");
    expect(html).toContain(hook.url);
    expect(html).not.toContain(secret!);

    const leadCookie = await signInCookie(server.url, cast.lead.email, PASSWORD);
    const refused = await post(leadCookie, projectId, [
      ["intent", "create"],
      ["url", "http://127.0.0.1:9/hook"],
      ["events", "import.completed"],
    ]);
    expect(refused.status).toBe(422);
    expect(refused.html).toContain("private or local address");
    const annotatorCookie = await signInCookie(server.url, cast.experts[0].email, PASSWORD);
    const forbidden = await fetch(`${server.url}/projects/${projectId}/webhooks`, {
      headers: { Cookie: annotatorCookie },
    });
    expect(forbidden.status).toBeGreaterThanOrEqual(403);
  });
});

describe("webhooks across a crash", { timeout: 90_000 }, () => {
  let database: TestDatabase;
  let environment: Record<string, string>;
  let adminToken: string;
  let projectId: number;
  const processes: QuorumProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    environment = {
      PORT: "0",
      HOST: "127.0.0.1",
      QUORUM_DATA_DIR: database.dataDir,
      QUORUM_SEED: "none",
      SESSION_SECRET: "test-secret-test-secret-test-secret-0123",
      ...fast,
      // The killed server's request never times out before it dies; a lease outlasts the
      // timeout, so the next server sends the event again once 6 s have passed.
      WEBHOOK_TIMEOUT_SECONDS: "5",
      ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
    };
    // PGlite is one process's: the data is made before any server opens the data directory.
    const handle = await openDatabase({
      databaseUrl: database.databaseUrl,
      pgliteDataDir: path.join(database.dataDir, "pgdata"),
    });
    await migrateToLatest(handle.db);
    const admin = await createUser(handle.db, {
      email: "admin@example.test",
      name: "Admin",
      password: "correct horse battery staple",
      isAdmin: true,
    });
    ({ token: adminToken } = await createApiToken(handle.db, admin.id, "crash test"));
    const project = await handle.db
      .insertInto("projects")
      .values({
        name: "Crash",
        template: JSON.stringify({ fields: [{ id: "notes", type: "text", label: "Notes" }] }),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    projectId = project.id;
    await handle.close();
  });

  afterAll(async () => {
    await Promise.all(processes.splice(0).map(killQuorumProcess));
    await database?.drop();
  });

  it("delivers an event again after the server is killed while sending it", async () => {
    let killed: Promise<void> | undefined;
    const first = await startQuorumProcess(environment);
    processes.push(first);
    // The first request is never answered: the server dies with it in flight.
    const hook = await receiver((count) => {
      if (count === 1) {
        killed = killQuorumProcess(first);
        return null;
      }
      return 200;
    });
    const admin = apiClient(first.url, adminToken);
    const created = await admin.post<{ webhook: { secret: string } }>(
      `/projects/${projectId}/webhooks`,
      { url: hook.url, events: ["import.completed"], allowPrivateAddresses: true },
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const imported = await admin.post(`/projects/${projectId}/items`, [
      { externalId: "crash-1", prompt: "Crash?", responses: [{ id: "a", text: "No." }] },
    ]);
    expect(imported.status).toBeLessThan(300);
    await hook.until(1);
    await killed;

    const second = await startQuorumProcess(environment);
    processes.push(second);
    const [before, after] = await hook.until(2);
    expect(after!.headers["webhook-id"]).toBe(before!.headers["webhook-id"]);
    expect(
      new Webhook(created.body.webhook.secret).verify(after!.body, after!.headers),
    ).toMatchObject({ type: "import.completed" });
  });
});

describe("an endpoint that takes nothing for too long", { timeout: 60_000 }, () => {
  const turnOffAfterMs = 1_500;
  let quiet: TestServer;
  let people: Cast;

  beforeAll(async () => {
    quiet = await startTestServer({
      ...fast,
      WEBHOOK_TURN_OFF_AFTER_HOURS: String(turnOffAfterMs / 3_600_000),
    });
    people = await createCast(quiet);
  });
  afterAll(async () => {
    await quiet?.stop();
  });

  interface Endpoint {
    enabled: boolean;
    turnedOffAt: string | null;
    delivery: { throughEventId: number; unreachableSince: string | null };
  }

  async function endpointFor(url: string) {
    const created = await people.admin.api.post<{ project: { id: number } }>("/projects", {
      name: "Unreachable",
      template: {
        fields: [{ id: "verdict", type: "choice", label: "Verdict", options: ["x", "y"] }],
      },
    });
    const projectId = created.body.project.id;
    await people.admin.api.post(`/projects/${projectId}/members`, {
      email: people.lead.email,
      role: "lead",
    });
    const registered = await people.admin.api.post<{ webhook: { id: number } }>(
      `/projects/${projectId}/webhooks`,
      { url, events: ["import.completed"], allowPrivateAddresses: true },
    );
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    const webhookId = registered.body.webhook.id;
    return {
      projectId,
      webhookId,
      importOne: async (externalId: string) => {
        const imported = await people.lead.api.post(`/projects/${projectId}/items`, [
          { externalId, prompt: "Which?", responses },
        ]);
        expect(imported.status, JSON.stringify(imported.body)).toBeLessThan(300);
      },
      state: async () => {
        const listed = await people.lead.api.get<{ webhooks: Array<Endpoint & { id: number }> }>(
          `/projects/${projectId}/webhooks`,
        );
        return listed.body.webhooks.find((webhook) => webhook.id === webhookId)!;
      },
    };
  }

  it("is turned off, its events kept, and resumes where it stopped once enabled", async () => {
    let down = true;
    const hook = await receiver(() => (down ? 503 : 200));
    const endpoint = await endpointFor(hook.url);
    await endpoint.importOne("while-down-1");
    await endpoint.importOne("while-down-2");

    await expect.poll(endpoint.state, { timeout: 15_000 }).toMatchObject({ enabled: false });
    const off = await endpoint.state();
    expect(off.turnedOffAt).not.toBeNull();
    expect(
      Date.parse(off.turnedOffAt!) - Date.parse(off.delivery.unreachableSince!),
    ).toBeGreaterThanOrEqual(turnOffAfterMs);
    // Every attempt was at the first event, and none is made once it is off.
    const eventIds = (requests: Received[]) =>
      requests.map((request) => request.headers["webhook-id"]);
    expect(new Set(eventIds(hook.received)).size).toBe(1);
    const attempts = hook.received.length;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(hook.received.length).toBe(attempts);
    const audit = await quiet.context.db
      .selectFrom("audit_log")
      .select(["actor_id", "details"])
      .where("action", "=", "webhook.turn_off")
      .where("subject_id", "=", String(endpoint.webhookId))
      .execute();
    expect(audit).toEqual([
      {
        actor_id: null,
        details: { url: hook.url, unreachableSince: off.delivery.unreachableSince },
      },
    ]);
    const cookie = await signInCookie(quiet.url, people.lead.email, PASSWORD);
    const page = await fetch(`${quiet.url}/projects/${endpoint.projectId}/webhooks`, {
      headers: { Cookie: cookie },
    });
    expect(await page.text()).toContain("Its events wait; enable it to resume");

    down = false;
    const enabled = await people.lead.api.patch<{ webhook: Endpoint }>(
      `/webhooks/${endpoint.webhookId}`,
      { enabled: true },
    );
    expect(enabled.status).toBe(200);
    expect(enabled.body.webhook).toMatchObject({
      enabled: true,
      turnedOffAt: null,
      delivery: { unreachableSince: null },
    });
    const requests = await hook.until(attempts + 2);
    const [first, second] = eventIds(requests.slice(attempts));
    expect(first).toBe(requests[0]!.headers["webhook-id"]);
    expect(second).not.toBe(first);
  });

  it("stays on while some of its attempts get through, however long it has been failing", async () => {
    // Every other request fails: each event is delivered at its second attempt, so the
    // endpoint fails for longer than the limit in all, but never goes that long without a
    // delivery.
    const hook = await receiver((count) => (count % 2 === 1 ? 500 : 200));
    const endpoint = await endpointFor(hook.url);
    const events = 8;
    for (let index = 0; index < events; index++) {
      await endpoint.importOne(`flaky-${index}`);
      await new Promise((resolve) => setTimeout(resolve, turnOffAfterMs / 4));
    }
    await hook.until(events * 2);
    const state = await endpoint.state();
    expect(state).toMatchObject({ enabled: true, turnedOffAt: null });
  });
});
