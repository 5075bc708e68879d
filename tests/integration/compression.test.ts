import { readdirSync, statSync } from "node:fs";
import { request, type IncomingMessage } from "node:http";
import path from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../setup/server.ts";

const clientAssets = path.resolve(import.meta.dirname, "../../build/client/assets");

/** The largest built asset of a kind: small ones (under 1 KB) are not worth compressing. */
function largestAsset(extension: string): string {
  const [largest] = readdirSync(clientAssets)
    .filter((name) => name.endsWith(extension))
    .sort(
      (a, b) =>
        statSync(path.join(clientAssets, b)).size - statSync(path.join(clientAssets, a)).size,
    );
  return largest;
}

let server: TestServer;
let token: string;
let projectId: number;

beforeAll(async () => {
  server = await startTestServer({ QUORUM_SEED: "demo" });
  ({ token } = await server.createUserWithToken({ email: "zip@example.test", isAdmin: true }));
  const project = await server.context.db
    .selectFrom("projects")
    .select("id")
    .orderBy("id")
    .executeTakeFirstOrThrow();
  projectId = project.id;
});

afterAll(async () => {
  await server?.stop();
});

interface RawResponse {
  status: number;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

/** A request with exactly the Accept-Encoding given (fetch would add and undo its own). */
function get(pathname: string, encoding: string, headers: Record<string, string> = {}) {
  return new Promise<RawResponse>((resolve, reject) => {
    const outgoing = request(
      `${server.url}${pathname}`,
      { headers: { "Accept-Encoding": encoding, ...headers } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    outgoing.on("error", reject);
    outgoing.end();
  });
}

function decoded(response: RawResponse): string {
  const encoding = response.headers["content-encoding"];
  if (encoding === "br") return brotliDecompressSync(response.body).toString("utf8");
  if (encoding === "gzip") return gunzipSync(response.body).toString("utf8");
  return response.body.toString("utf8");
}

describe("compression", () => {
  it("sends pages, scripts, styles and JSON with brotli or gzip, as the client accepts", async () => {
    const script = largestAsset(".js");
    const style = largestAsset(".css");
    const bearer = { Authorization: `Bearer ${token}` };
    for (const [pathname, headers] of [
      ["/login", {}],
      [`/assets/${script}`, {}],
      [`/assets/${style}`, {}],
      [`/api/v1/projects/${projectId}/items?limit=100`, bearer],
    ] as const) {
      const plain = await get(pathname, "identity", headers);
      expect(plain.status, pathname).toBe(200);
      expect(plain.headers["content-encoding"], pathname).toBeUndefined();
      for (const encoding of ["br", "gzip"]) {
        const packed = await get(pathname, `${encoding}, deflate`, headers);
        expect(packed.headers["content-encoding"], pathname).toBe(encoding);
        expect(packed.headers.vary, pathname).toMatch(/Accept-Encoding/i);
        expect(packed.body.length, pathname).toBeLessThan(plain.body.length);
        const text = decoded(packed);
        if (pathname === "/login") expect(text).toContain("Sign in");
        else expect(text).toBe(plain.body.toString("utf8"));
      }
    }
    const preferred = await get(`/assets/${largestAsset(".js")}`, "gzip, deflate, br");
    expect(preferred.headers["content-encoding"]).toBe("br");
  });

  it("keeps hashed assets cached for a year, compressed or not", async () => {
    const script = largestAsset(".js");
    for (const encoding of ["br", "identity"]) {
      const response = await get(`/assets/${script}`, encoding);
      expect(response.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    }
  });

  it("leaves event streams uncompressed, so that each event leaves at once", async () => {
    const first = await new Promise<{ headers: IncomingMessage["headers"]; chunk: string }>(
      (resolve, reject) => {
        const outgoing = request(
          `${server.url}/api/v1/projects/${projectId}/events`,
          { headers: { "Accept-Encoding": "br, gzip", Authorization: `Bearer ${token}` } },
          (response) => {
            response.once("data", (chunk: Buffer) => {
              resolve({ headers: response.headers, chunk: chunk.toString("utf8") });
              outgoing.destroy();
            });
          },
        );
        outgoing.on("error", reject);
        outgoing.end();
      },
    );
    expect(first.headers["content-type"]).toMatch(/^text\/event-stream/);
    expect(first.headers["content-encoding"]).toBeUndefined();
    expect(first.chunk).toMatch(/event: progress|^:/m);
  });

  it("serves the favicon, as an SVG and at /favicon.ico", async () => {
    const svg = await get("/favicon.svg", "identity");
    expect(svg.status).toBe(200);
    expect(svg.headers["content-type"]).toMatch(/^image\/svg\+xml/);
    const ico = await get("/favicon.ico", "identity");
    expect(ico.status).toBe(200);
    expect(ico.headers["content-type"]).toMatch(/^image\/(x-icon|vnd\.microsoft\.icon)/);
    expect([...ico.body.subarray(0, 4)]).toEqual([0, 0, 1, 0]);
    const page = decoded(await get("/login", "identity"));
    expect(page).toContain('rel="icon" href="/favicon.svg"');
  });
});
