import { config } from "zod/v4/core";

/*
 * zod compiles object parsers with `new Function` where a page allows it, and finds out by
 * trying once, as each object schema is built; under the Content-Security-Policy, which forbids
 * eval, the browser reports that try as a violation. In the browser zod parses without compiling
 * (the server keeps the faster compiled parsers). The root route imports this first, so that it
 * runs before any route module builds a schema.
 */
if (typeof document !== "undefined") config({ jitless: true });
