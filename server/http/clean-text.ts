import type { RequestHandler } from "express";
import { badRequest, cleanTextErrors, validationFailed } from "../errors.ts";
import { sendError } from "./handler.ts";

/**
 * Every API request's query string and parsed JSON body obey the clean-text rule
 * (app/domain/clean-text.ts) before any handler sees them: a query parameter that does not is a
 * 400, a body field a 422, each naming the parameter or the JSON path. Mounted once before the
 * body parser (for the query, and for the import route, which reads its own body and checks it
 * row by row) and once after it (for the body).
 */
export const requireCleanText: RequestHandler = (request, response, next) => {
  const query = cleanTextErrors(request.query);
  if (query.length > 0) {
    sendError(
      response,
      badRequest("The query string contains text that cannot be accepted", query),
    );
    return;
  }
  if (request.body !== undefined) {
    const body = cleanTextErrors(request.body);
    if (body.length > 0) {
      sendError(
        response,
        validationFailed("The request body contains text that cannot be accepted", body),
      );
      return;
    }
  }
  next();
};
