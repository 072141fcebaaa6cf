import type { FastifyInstance } from "fastify";
import { HubError } from "../errors.js";

/**
 * JSON bodies, where an empty body counts as none: clients that always send
 * `Content-Type: application/json` (also on DELETE) are not refused for it.
 */
export function acceptEmptyJsonBodies(app: FastifyInstance): void {
  // Only JSON: a text/plain body would otherwise reach validation as a string and get a puzzling message.
  app.removeContentTypeParser("text/plain");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => {
    const text = body as string;
    if (text.trim() === "") return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new HubError("invalid_request", "the body is not valid JSON"), undefined);
    }
  });
}
