import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DOCUMENT_FILE, TYPES_FILE, writeClient } from "../../client/generate.ts";
import { buildOpenApiDocument, openApiPath } from "../../server/http/openapi/document.ts";
import { operations, type HttpMethod } from "../../server/http/openapi/operations.ts";
import { errorBodySchema } from "../../server/http/openapi/schemas.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";

interface OpenApiResponse {
  $ref?: string;
  description?: string;
  content?: Record<string, { schema?: unknown; example?: unknown }>;
}
interface OpenApiOperation {
  operationId: string;
  responses: Record<string, OpenApiResponse>;
}
interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Partial<Record<HttpMethod, OpenApiOperation>>>;
  components: { responses: Record<string, OpenApiResponse> };
}

/** The parts of Express's router this test reads (its internals have no published types). */
interface RouterLayer {
  name: string;
  regexp?: RegExp;
  route?: { path: string; methods: Record<string, boolean> };
  handle: { stack?: RouterLayer[] };
}
interface ExpressApp {
  _router: { stack: RouterLayer[] };
}

let server: TestServer;
let document: OpenApiDocument;
let admin: { userId: number; token: string };

beforeAll(async () => {
  server = await startTestServer();
  admin = await server.createUserWithToken({ email: "admin@example.test", isAdmin: true });
  const response = await fetch(`${server.url}/api/v1/openapi.json`);
  expect(response.status).toBe(200);
  document = (await response.json()) as OpenApiDocument;
});

afterAll(async () => {
  await server?.stop();
});

/** Every route of the router mounted at /api/v1 of the running server, as `METHOD path`. */
function registeredRoutes(): string[] {
  const [app] = server.httpServer.listeners("request") as unknown as ExpressApp[];
  const apiLayer = app._router.stack.find(
    (layer) => layer.name === "router" && layer.regexp?.test("/api/v1/") === true,
  );
  expect(apiLayer?.handle.stack).toBeDefined();
  return (apiLayer?.handle.stack ?? []).flatMap((layer) =>
    layer.route
      ? Object.keys(layer.route.methods)
          .filter((method) => layer.route?.methods[method])
          .map((method) => `${method.toUpperCase()} ${layer.route?.path}`)
      : [],
  );
}

function call(method: string, apiPath: string, init: { token?: string; body?: string } = {}) {
  return fetch(`${server.url}/api/v1${apiPath}`, {
    method,
    headers: {
      ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}),
      ...(init.body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    body: init.body,
  });
}

/**
 * Holds a real response to what the document says of it: the status is one the operation
 * documents, and the body parses with the zod schema documented for it (the error schema for
 * an error).
 */
async function expectDocumented(
  method: HttpMethod,
  expressPath: string,
  response: Response,
): Promise<unknown> {
  const operation = operations.find((each) => each.method === method && each.path === expressPath);
  expect(operation, `${method} ${expressPath}`).toBeDefined();
  const documented = document.paths[openApiPath(expressPath)]?.[method]?.responses;
  expect(Object.keys(documented ?? {}), `${method} ${expressPath}`).toContain(
    String(response.status),
  );
  const body: unknown = response.status === 204 ? null : await response.json();
  const schema =
    response.status >= 400 ? errorBodySchema : operation?.responses[response.status]?.schema;
  if (schema) {
    const parsed = schema.safeParse(body);
    expect(parsed.success, `${method} ${expressPath} ${response.status}: ${parsed.error}`).toBe(
      true,
    );
  }
  return body;
}

describe("the OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(document as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("is served to anyone, cacheable, as the server built it", async () => {
    const response = await fetch(`${server.url}/api/v1/openapi.json`);
    expect(response.headers.get("cache-control")).toBe("public, max-age=300");
    const etag = response.headers.get("etag");
    expect(etag).toBeTruthy();
    const revalidated = await fetch(`${server.url}/api/v1/openapi.json`, {
      // As a browser revalidates; fetch would otherwise add `Cache-Control: no-cache`.
      headers: { "If-None-Match": etag ?? "", "Cache-Control": "max-age=0" },
    });
    expect(revalidated.status).toBe(304);
    expect(await response.json()).toEqual(
      JSON.parse(JSON.stringify(buildOpenApiDocument(server.context.version))),
    );
  });

  it("documents every route the API router registers, and no other", () => {
    const routes = registeredRoutes();
    const documented = operations.map(
      (operation) => `${operation.method.toUpperCase()} ${operation.path}`,
    );
    expect(routes.length).toBeGreaterThan(40);
    expect(
      [...new Set(routes)].sort(),
      "each route needs its operation in server/http/openapi/operations.ts (then npm run openapi)",
    ).toEqual([...new Set(documented)].sort());
    expect(new Set(documented).size).toBe(documented.length);
    for (const operation of operations) {
      expect(document.paths[openApiPath(operation.path)]?.[operation.method]?.operationId).toBe(
        operation.operationId,
      );
    }
  });

  it("gives every response and every error an example that fits its schema", () => {
    for (const operation of operations) {
      const where = `${operation.method} ${operation.path}`;
      if (operation.body) {
        const parsed = operation.body.schema.safeParse(operation.body.example);
        expect(parsed.success, `${where} request example: ${parsed.error}`).toBe(true);
      }
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!response.schema) continue;
        const parsed = response.schema.safeParse(response.example);
        expect(parsed.success, `${where} ${status} example: ${parsed.error}`).toBe(true);
      }
      const responses = document.paths[openApiPath(operation.path)]?.[operation.method]?.responses;
      const statuses = Object.keys(responses ?? {});
      if (!operation.public) expect(statuses.some((status) => Number(status) >= 400)).toBe(true);
      for (const status of statuses) {
        const listed = responses?.[status];
        const response = listed?.$ref
          ? document.components.responses[listed.$ref.replace("#/components/responses/", "")]
          : listed;
        for (const [mediaType, content] of Object.entries(response?.content ?? {})) {
          expect(content.example, `${where} ${status} ${mediaType}`).toBeDefined();
          if (Number(status) >= 400) {
            const parsed = errorBodySchema.safeParse(content.example);
            expect(parsed.success, `${where} ${status}`).toBe(true);
            expect(content.schema).toEqual({ $ref: "#/components/schemas/Error" });
          }
        }
        if (status !== "204") expect(response?.content, `${where} ${status}`).toBeDefined();
      }
    }
  });

  it("takes request bodies from the schemas the handlers validate with", () => {
    // A body field the handler's schema refuses (strict objects) is absent from the document.
    const createProject = document.paths["/projects"]?.post as unknown as {
      requestBody: { content: { "application/json": { schema: { properties: object } } } };
    };
    const properties = Object.keys(
      createProject.requestBody.content["application/json"].schema.properties,
    );
    expect(properties).toEqual(
      expect.arrayContaining(["name", "template", "preset", "overlap", "settings"]),
    );
  });
});

describe("real answers fit the documented responses", () => {
  it("on a project's way from creation to progress, and on errors", async () => {
    const token = admin.token;
    await expectDocumented("get", "/me", await call("GET", "/me", { token }));
    const created = (await expectDocumented(
      "post",
      "/projects",
      await call("POST", "/projects", {
        token,
        body: JSON.stringify({
          name: "Documented",
          overlap: 1,
          template: { fields: [{ id: "score", label: "Score", type: "rating", min: 1, max: 5 }] },
        }),
      }),
    )) as { project: { id: number } };
    const projectId = created.project.id;
    await expectDocumented("get", "/projects", await call("GET", "/projects", { token }));
    await expectDocumented(
      "get",
      "/projects/:id",
      await call("GET", `/projects/${projectId}`, { token }),
    );
    await expectDocumented(
      "post",
      "/projects/:id/items",
      await call("POST", `/projects/${projectId}/items`, {
        token,
        body: JSON.stringify([
          { externalId: "one", prompt: "Hello?", responses: [{ id: "a", text: "Hi." }] },
          { externalId: "two", prompt: "Again?", responses: [{ id: "a", text: "Yes." }] },
        ]),
      }),
    );
    await expectDocumented(
      "get",
      "/projects/:id/items",
      await call("GET", `/projects/${projectId}/items`, { token }),
    );
    for (const sort of ["id", "-created"]) {
      const page = (await expectDocumented(
        "get",
        "/projects/:id/items",
        await call("GET", `/projects/${projectId}/items?limit=1&sort=${sort}`, { token }),
      )) as { nextCursor: unknown };
      expect(page.nextCursor, sort).not.toBeNull();
    }
    const next = (await expectDocumented(
      "get",
      "/queue/next",
      await call("GET", `/queue/next?project=${projectId}`, { token }),
    )) as { assignment: { itemId: number } };
    const itemId = next.assignment.itemId;
    await expectDocumented("get", "/items/:id", await call("GET", `/items/${itemId}`, { token }));
    await expectDocumented(
      "post",
      "/items/:id/annotations",
      await call("POST", `/items/${itemId}/annotations`, {
        token,
        body: JSON.stringify({ label: { score: 4 } }),
      }),
    );
    await expectDocumented(
      "get",
      "/projects/:id/progress",
      await call("GET", `/projects/${projectId}/progress`, { token }),
    );
    await expectDocumented(
      "get",
      "/projects/:id/quality",
      await call("GET", `/projects/${projectId}/quality`, { token }),
    );
    await expectDocumented(
      "get",
      "/projects/:id/members",
      await call("GET", `/projects/${projectId}/members`, { token }),
    );
    await expectDocumented("get", "/tokens", await call("GET", "/tokens", { token }));

    // Errors: a body failing validation, malformed JSON, no credentials, an unknown project.
    const invalid = await call("POST", "/projects", { token, body: JSON.stringify({ name: "" }) });
    expect(invalid.status).toBe(422);
    const refused = (await expectDocumented("post", "/projects", invalid)) as {
      error: { details: Array<{ field: string }> };
    };
    expect(refused.error.details.map((detail) => detail.field)).toContain("name");
    const malformed = await call("POST", "/projects", { token, body: "{" });
    expect(malformed.status).toBe(400);
    await expectDocumented("post", "/projects", malformed);
    const anonymous = await call("GET", "/projects");
    expect(anonymous.status).toBe(401);
    await expectDocumented("get", "/projects", anonymous);
    const missing = await call("GET", "/projects/999999", { token });
    expect(missing.status).toBe(404);
    await expectDocumented("get", "/projects/:id", missing);
    const client = await server.createUserWithToken({ email: "client@example.test" });
    await expectDocumented(
      "post",
      "/projects/:id/members",
      await call("POST", `/projects/${projectId}/members`, {
        token,
        body: JSON.stringify({ email: "client@example.test", role: "client" }),
      }),
    );
    const notAnnotator = await call("GET", `/projects/${projectId}/queue/mine`, {
      token: client.token,
    });
    expect(notAnnotator.status).toBe(403);
    await expectDocumented("get", "/projects/:id/queue/mine", notAnnotator);
  });
});

describe("the typed client", () => {
  it("is generated from the document the server serves, as committed", async () => {
    const directory = await mkdtemp(path.join(tmpdir(), "quorum-openapi-"));
    try {
      await writeClient(document, directory);
      for (const file of [DOCUMENT_FILE, TYPES_FILE]) {
        const committed = await readFile(
          path.join(import.meta.dirname, "../../client", file),
          "utf8",
        );
        const regenerated = await readFile(path.join(directory, file), "utf8");
        expect(regenerated, `client/${file} is out of date: run npm run openapi`).toBe(committed);
      }
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

describe("the API reference page", () => {
  it("serves Swagger UI from this origin under the app's policy, its script in a file", async () => {
    const page = await fetch(`${server.url}/api/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(page.headers.get("content-security-policy")).toMatch(/script-src 'self' 'nonce-/);
    expect(html).not.toMatch(/<script>|<script [^>]*>[^<]/);
    const scripts = [...html.matchAll(/<script src="([^"]+)"/g)].map(([, source]) => source);
    const styles = [...html.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map(
      ([, source]) => source,
    );
    expect(scripts).toEqual([
      "/api/docs/swagger-ui/swagger-ui-bundle.js",
      "/api/docs/initializer.js",
    ]);
    for (const asset of [...scripts, ...styles]) {
      const response = await fetch(`${server.url}${asset}`);
      expect(response.status, asset).toBe(200);
      expect(response.headers.get("content-type"), asset).toMatch(
        asset.endsWith(".css") ? /^text\/css/ : /javascript/,
      );
    }
    const initializer = await (await fetch(`${server.url}/api/docs/initializer.js`)).text();
    expect(initializer).toContain('"/api/v1/openapi.json"');
  });
});
