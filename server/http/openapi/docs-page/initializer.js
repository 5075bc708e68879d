// Swagger UI over Quorum's OpenAPI document. "Try it out" sends requests from this origin, so the
// browser's session cookie authenticates them; no validator badge, which would call a third party.
window.SwaggerUIBundle({
  url: "/api/v1/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
});
