import { createRequire } from "node:module";
import path from "node:path";
import express, { type RequestHandler, type Router } from "express";
import { buildOpenApiDocument } from "./document.ts";

/**
 * `GET /api/v1/openapi.json`: the document, built once when the server starts. It is the same
 * for everyone and changes only with a new release, so caches may keep it a while and
 * revalidate it by its ETag (Express's, of the body).
 */
export function openApiDocumentHandler(version: string): RequestHandler {
  const body = JSON.stringify(buildOpenApiDocument(version));
  return (_request, response) => {
    response.setHeader("Cache-Control", "public, max-age=300");
    response.type("application/json").send(body);
  };
}

const pageDir = path.join(import.meta.dirname, "docs-page");

/**
 * `/api/docs`: Swagger UI over the document, served from the installed swagger-ui-dist (no
 * CDN). The page starts it from a script file of its own, so it runs under the app's
 * Content-Security-Policy, which allows no inline script without the page's nonce.
 */
export function createApiDocsRouter(): Router {
  const swaggerUiDir = path.dirname(
    createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"),
  );
  const router = express.Router();
  router.get("/", (_request, response) => {
    response.setHeader("Cache-Control", "public, max-age=300");
    response.sendFile(path.join(pageDir, "index.html"));
  });
  router.get("/initializer.js", (_request, response) => {
    response.setHeader("Cache-Control", "public, max-age=300");
    response.sendFile(path.join(pageDir, "initializer.js"));
  });
  router.use("/swagger-ui", express.static(swaggerUiDir, { index: false, maxAge: "1h" }));
  return router;
}
