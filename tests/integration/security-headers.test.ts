import { readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signInCookie } from "../setup/page-session.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";

const clientAssets = path.resolve(import.meta.dirname, "../../build/client/assets");
const PASSWORD = "correct horse battery staple";

let server: TestServer;
let token: string;
let cookie: string;

beforeAll(async () => {
  server = await startTestServer();
  ({ token } = await server.createUserWithToken({ email: "headers@example.test", isAdmin: true }));
  cookie = await signInCookie(server.url, "headers@example.test", PASSWORD);
});

afterAll(async () => {
  await server?.stop();
});

function expectSecurityHeaders(response: Response) {
  const policy = response.headers.get("content-security-policy") ?? "";
  expect(policy).toContain("frame-ancestors 'none'");
  expect(response.headers.get("x-frame-options")).toBe("DENY");
  expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  expect(response.headers.get("referrer-policy")).toBe("same-origin");
  return policy;
}

describe("security headers", () => {
  it("are on pages, with a nonce that every inline and module script carries", async () => {
    for (const page of ["/login", "/projects", "/settings"]) {
      const response = await fetch(`${server.url}${page}`, {
        headers: page === "/login" ? {} : { Cookie: cookie },
      });
      expect(response.status).toBe(200);
      const policy = expectSecurityHeaders(response);
      const nonce = /script-src 'self' 'nonce-([A-Za-z0-9+/=]+)'/.exec(policy)?.[1];
      expect(nonce, policy).toBeDefined();
      expect(policy).toContain("object-src 'none'");
      expect(policy).toContain("base-uri 'none'");
      expect(policy).toMatch(/connect-src 'self' ws:\/\/127\.0\.0\.1:\d+ wss:\/\/127\.0\.0\.1:\d+/);
      const html = await response.text();
      const scripts = html.match(/<script\b[^>]*>/g) ?? [];
      expect(scripts.length).toBeGreaterThan(0);
      for (const script of scripts) expect(script).toContain(`nonce="${nonce}"`);
    }
  });

  it("give every response a fresh nonce", async () => {
    const nonces = new Set<string>();
    for (let attempt = 0; attempt < 5; attempt++) {
      const response = await fetch(`${server.url}/login`);
      nonces.add(/'nonce-([^']+)'/.exec(response.headers.get("content-security-policy") ?? "")![1]);
    }
    expect(nonces.size).toBe(5);
  });

  it("are on API answers and errors, which no cache may keep", async () => {
    const authorized = { Authorization: `Bearer ${token}` };
    const answers = [
      await fetch(`${server.url}/api/v1/me`, { headers: authorized }),
      await fetch(`${server.url}/api/v1/me`),
      await fetch(`${server.url}/api/v1/no-such-route`, { headers: authorized }),
      await fetch(`${server.url}/api/v2/me`, { headers: authorized }),
      await fetch(`${server.url}/api/v1/projects`, {
        method: "POST",
        headers: { ...authorized, "Content-Type": "application/json" },
        body: "{not json",
      }),
    ];
    expect(answers.map((response) => response.status)).toEqual([200, 401, 404, 404, 400]);
    for (const response of answers) {
      expectSecurityHeaders(response);
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    }
  });

  it("are on hashed assets, which stay cached for a year, and on missing ones", async () => {
    const script = readdirSync(clientAssets).find((name) => name.endsWith(".js"));
    expect(script).toBeDefined();
    const asset = await fetch(`${server.url}/assets/${script}`);
    expect(asset.status).toBe(200);
    expectSecurityHeaders(asset);
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");

    const missing = await fetch(`${server.url}/assets/no-such-file.js`);
    expect(missing.status).toBe(404);
    expectSecurityHeaders(missing);
  });

  it("are on error pages and on the health check", async () => {
    const notFound = await fetch(`${server.url}/no/such/page`, { headers: { Cookie: cookie } });
    expect(notFound.status).toBe(404);
    expectSecurityHeaders(notFound);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expectSecurityHeaders(health);
  });
});
