import { z } from "zod";
import { templateSchema } from "../../../app/domain/template.ts";
import { errorStatus, fieldErrors, type ErrorBody, type ErrorCode } from "../../errors.ts";
import { SESSION_COOKIE_NAME } from "../credentials.ts";
import { idParameter } from "../../ids.ts";
import { operations, type ApiOperation, type ErrorExample } from "./operations.ts";
import * as bodies from "./schemas.ts";

type JsonObject = Record<string, unknown>;

/**
 * Response schemas the document defines once, under `components/schemas`, and points to
 * wherever an answer carries them; the generated client names its types after them.
 */
const namedSchemas = new Map<z.core.$ZodType, string>([
  [bodies.errorBodySchema, "Error"],
  [templateSchema, "Template"],
  [bodies.projectSchema, "Project"],
  [bodies.publicUserSchema, "User"],
  [bodies.managedUserSchema, "ManagedUser"],
  [bodies.issuedLinkSchema, "IssuedLink"],
  [bodies.memberSchema, "Member"],
  [bodies.itemViewSchema, "ItemView"],
  [bodies.progressSchema, "Progress"],
  [bodies.qualitySchema, "Quality"],
  [bodies.guidelinesSchema, "Guidelines"],
  [bodies.flagSchema, "Flag"],
  [bodies.reviewSchema, "Review"],
  [bodies.adjudicationSchema, "Adjudication"],
]);

const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/**
 * A zod schema as the JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1) embedded in the
 * document: request bodies and parameters as the client sends them (`input`: before defaults
 * and transforms), responses as the server writes them (`output`), with named schemas as
 * references (but for the named schema itself, `defining` it).
 */
export function jsonSchemaOf(
  schema: z.core.$ZodType,
  io: "input" | "output",
  defining = false,
): JsonObject {
  const name = io === "output" ? namedSchemas.get(schema) : undefined;
  if (name !== undefined && !defining) return schemaRef(name);
  const converted = z.toJSONSchema(schema, {
    target: "draft-2020-12",
    io,
    override: ({ zodSchema, jsonSchema }) => {
      const nested = io === "output" ? namedSchemas.get(zodSchema) : undefined;
      if (nested === undefined || zodSchema === schema) return;
      const replaced = jsonSchema as JsonObject;
      for (const key of Object.keys(replaced)) delete replaced[key];
      Object.assign(replaced, schemaRef(nested));
    },
  }) as JsonObject;
  // Embedded schemas have no `$defs` of their own to point into: a schema registered with an
  // id would be extracted into one and its `$ref` would dangle in the document.
  if ("$defs" in converted) throw new Error("OpenAPI schemas must not register ids");
  const { $schema: _dialect, ...embedded } = converted;
  return embedded;
}

/** `/projects/:id` → `/projects/{id}`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:(\w+)/g, "{$1}");
}

const errorDescriptions: Record<ErrorCode, string> = {
  bad_request: "Malformed JSON, a bad id or a query parameter that is not accepted",
  unauthorized: "No, invalid or revoked credentials",
  forbidden: "The caller may not do this (or a cookie-authenticated request from another origin)",
  not_found: "No such thing, or one the caller may not see",
  method_not_allowed: "Method not allowed",
  conflict: "The state of the data does not allow it",
  payload_too_large: "The body is over the limit",
  unsupported_media_type: "The body is not JSON",
  validation_failed: "The body is not valid; `details` names each field in error",
  rate_limited: "Too many at once; try again later",
  internal: "A fault of the server",
  unavailable: "The database cannot be reached; try again after `Retry-After` seconds",
};

/** `project` → `Project`, as the handlers name the ids they parse. */
function idName(thing: string): string {
  return thing.charAt(0).toUpperCase() + thing.slice(1);
}

/** The example of an error an operation documents no message of its own for. */
function defaultError(operation: ApiOperation | undefined, code: ErrorCode): ErrorExample {
  switch (code) {
    case "bad_request": {
      if (operation?.body) return "The request body is not valid JSON";
      const parameter = /\/(\w+)\/:(\w+)/.exec(operation?.path ?? "");
      if (!parameter) return "The query string contains text that cannot be accepted";
      const [, collection, name] = parameter;
      return `${idName(name === "id" ? collection.replace(/s$/, "") : name.replace(/Id$/, ""))} id must be a positive integer`;
    }
    case "unauthorized":
      return "Authentication required";
    case "forbidden":
      return "Cross-origin request refused";
    case "not_found":
      return "Not found";
    case "payload_too_large":
      return "The request body is larger than the limit of 1048576 bytes";
    case "unsupported_media_type":
      return "Content-Type must be application/json, not text/plain";
    case "validation_failed": {
      // The details a body that is no object at all gets from the very schema.
      const refused = operation?.body?.schema.safeParse(null);
      return {
        message: "The request body is not valid",
        details: refused && !refused.success ? fieldErrors(refused.error.issues) : [],
      };
    }
    case "internal":
      return "Something went wrong on our side";
    case "unavailable":
      return "The database is unavailable; try again shortly";
    default:
      return errorDescriptions[code];
  }
}

/** The errors an operation can answer: those of its kind of endpoint, and its own. */
function errorCodes(operation: ApiOperation): ErrorCode[] {
  const codes = new Set<ErrorCode>();
  if (!operation.public) {
    codes.add("bad_request");
    codes.add("unauthorized");
    if (operation.method !== "get") codes.add("forbidden");
  }
  if (operation.path.includes(":")) codes.add("not_found");
  if (operation.body) {
    codes.add("payload_too_large");
    codes.add("unsupported_media_type");
    codes.add("validation_failed");
  }
  for (const code of Object.keys(operation.errors ?? {})) codes.add(code as ErrorCode);
  if (!operation.public) {
    codes.add("internal");
    codes.add("unavailable");
  }
  return [...codes].sort((a, b) => errorStatus[a] - errorStatus[b]);
}

function errorExample(code: ErrorCode, example: ErrorExample): ErrorBody {
  const { message, details } =
    typeof example === "string" ? { message: example, details: undefined } : example;
  return { error: { code, message, ...(details === undefined ? {} : { details }) } };
}

/**
 * Errors whose answer is the same whatever the endpoint, defined once under
 * `components/responses`; the others carry the operation's own example.
 */
const sharedErrors: Partial<Record<ErrorCode, string>> = {
  unauthorized: "Unauthorized",
  forbidden: "CrossOrigin",
  payload_too_large: "PayloadTooLarge",
  unsupported_media_type: "UnsupportedMediaType",
  internal: "Internal",
  unavailable: "Unavailable",
};

function errorResponse(code: ErrorCode, example: ErrorExample): JsonObject {
  return {
    description: errorDescriptions[code],
    ...(code === "unavailable"
      ? {
          headers: {
            "Retry-After": {
              description: "Seconds to wait before trying again",
              schema: { type: "integer" },
            },
          },
        }
      : {}),
    content: {
      "application/json": { schema: schemaRef("Error"), example: errorExample(code, example) },
    },
  };
}

function sharedErrorResponses(): Record<string, JsonObject> {
  return Object.fromEntries(
    Object.entries(sharedErrors).map(([code, name]) => [
      name,
      errorResponse(code as ErrorCode, defaultError(undefined, code as ErrorCode)),
    ]),
  );
}

function errorResponses(operation: ApiOperation): Record<string, JsonObject> {
  const responses: Record<string, JsonObject> = {};
  for (const code of errorCodes(operation)) {
    const own = operation.errors?.[code];
    const shared = sharedErrors[code];
    responses[String(errorStatus[code])] =
      own === undefined && shared !== undefined
        ? { $ref: `#/components/responses/${shared}` }
        : errorResponse(code, own ?? defaultError(operation, code));
  }
  return responses;
}

function textContent(content: Record<string, { description: string; example: string }>) {
  return Object.fromEntries(
    Object.entries(content).map(([mediaType, { description, example }]) => [
      mediaType,
      { schema: { type: "string", description }, example },
    ]),
  );
}

function parameters(operation: ApiOperation): JsonObject[] {
  const inPath = [...operation.path.matchAll(/:(\w+)/g)].map(([, name]) => ({
    name,
    in: "path",
    required: true,
    description: "A positive integer id",
    schema: jsonSchemaOf(idParameter, "input"),
  }));
  if (!operation.query) return inPath;
  const query = jsonSchemaOf(operation.query, "input") as {
    properties?: Record<string, JsonObject>;
    required?: string[];
  };
  const inQuery = Object.entries(query.properties ?? {}).map(([name, schema]) => ({
    name,
    in: "query",
    required: query.required?.includes(name) ?? false,
    ...(typeof schema.description === "string" ? { description: schema.description } : {}),
    schema,
  }));
  return [...inPath, ...inQuery];
}

function operationObject(operation: ApiOperation): JsonObject {
  const { body } = operation;
  const parameterList = parameters(operation);
  const responses: Record<string, JsonObject> = {};
  for (const [status, response] of Object.entries(operation.responses)) {
    responses[status] = {
      description: response.description,
      ...(response.headers
        ? {
            headers: Object.fromEntries(
              Object.entries(response.headers).map(([name, example]) => [
                name,
                { schema: { type: "string" }, example },
              ]),
            ),
          }
        : {}),
      ...(response.schema || response.content
        ? {
            content: {
              ...(response.schema
                ? {
                    "application/json": {
                      schema: jsonSchemaOf(response.schema, "output"),
                      example: response.example,
                    },
                  }
                : {}),
              ...(response.content ? textContent(response.content) : {}),
            },
          }
        : {}),
    };
  }
  return {
    operationId: operation.operationId,
    tags: [operation.tag],
    summary: operation.summary,
    description: [operation.description, `**Who may call it:** ${operation.access}.`]
      .filter(Boolean)
      .join("\n\n"),
    "x-access": operation.access,
    ...(operation.public ? { security: [] } : {}),
    ...(parameterList.length > 0 ? { parameters: parameterList } : {}),
    ...(body
      ? {
          requestBody: {
            // A body whose every field is optional may be left out.
            required: !body.schema.safeParse({}).success,
            content: {
              "application/json": {
                schema: jsonSchemaOf(body.schema, "input"),
                example: body.example,
              },
              ...(body.alternatives ? textContent(body.alternatives) : {}),
            },
          },
        }
      : {}),
    responses: { ...responses, ...errorResponses(operation) },
  };
}

const tags = [
  { name: "Meta", description: "This document" },
  { name: "Account", description: "The caller and their API tokens" },
  { name: "People", description: "Users and invitations (admins)" },
  { name: "Projects", description: "Projects and their members" },
  { name: "Items", description: "Importing, listing and reading items" },
  { name: "Labeling", description: "The annotator's loop" },
  { name: "Guidelines", description: "Guidelines, and flags raised for a lead" },
  { name: "Review", description: "Leads' review of junior annotations" },
  { name: "Adjudication", description: "Panels, approvals, publishing and reopening" },
  { name: "Quality", description: "Progress, quality and their event stream" },
  { name: "Export", description: "Final labels" },
  { name: "Webhooks", description: "Endpoints told of a project's events, and their delivery log" },
];

/** The OpenAPI 3.1 document of /api/v1, made from the operations' registry. */
export function buildOpenApiDocument(version: string): JsonObject {
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const operation of operations) {
    const path = openApiPath(operation.path);
    paths[path] = { ...paths[path], [operation.method]: operationObject(operation) };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Quorum API",
      version,
      description:
        "The JSON API of Quorum. Authenticate with `Authorization: Bearer <token>` (create tokens on the Settings page or with `quorum token create`); the browser's session cookie works too. Every error has the shape `{ error: { code, message, details? } }`. Every string taken in must be clean text: no U+0000, other C0 control characters than tab, line feed and carriage return, or unpaired surrogates (400 in a query string, 422 in a body).",
    },
    servers: [{ url: "/api/v1" }],
    tags,
    security: [{ bearerAuth: [] }, { sessionCookie: [] }],
    paths,
    components: {
      schemas: Object.fromEntries(
        [...namedSchemas].map(([schema, name]) => [name, jsonSchemaOf(schema, "output", true)]),
      ),
      responses: sharedErrorResponses(),
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          description: "An API token (Settings page, `POST /tokens` or `quorum token create`)",
        },
        sessionCookie: {
          type: "apiKey",
          in: "cookie",
          name: SESSION_COOKIE_NAME,
          description: "The browser's session after signing in",
        },
      },
    },
  };
}
