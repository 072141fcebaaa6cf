import type { IncomingMessage } from "node:http";
import type { FastifyError, FastifyInstance, FastifyReply } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { HubError } from "../errors.js";
import type { HubMetrics } from "../metrics.js";
import { recordRoutes } from "./method-not-allowed.js";

/**
 * Every error leaves as `{"error": {"code", "message"}}`. A HubError's message is written for
 * the caller; anything else becomes a bare 500 (logged under `err`), so no internals leak.
 */
export function installErrorHandlers(
  app: FastifyInstance,
  metrics: HubMetrics,
  bodyLimitBytes: number,
): void {
  const allowedMethods = recordRoutes(app);
  /** A request no route takes: 405 with Allow when the path exists under other methods, else 404. */
  const noRoute = (method: string, url: string): HubError => {
    const path = url.split("?")[0] ?? url;
    const allowed = allowedMethods(path);
    return allowed.length > 0
      ? new HubError("method_not_allowed", `${path} answers ${allowed.join(", ")}, not ${method}`)
      : new HubError("not_found", `no route ${method} ${path}`);
  };
  const send = (reply: FastifyReply, error: HubError, url: string): FastifyReply => {
    metrics.errors.inc({ code: error.code });
    if (error.code === "method_not_allowed")
      void reply.header("allow", allowedMethods(url.split("?")[0] ?? url).join(", "));
    return reply.code(error.status).send({ error: { code: error.code, message: error.message } });
  };

  app.setErrorHandler(async (error, request, reply) => {
    // A body on a request no route takes (QUERY, TRACE with a body) fails parsing before the not-found handler runs.
    if (request.is404) return send(reply, noRoute(request.method, request.url), request.url);
    const hubError = toHubError(error, bodyLimitBytes);
    if (hubError.status >= 500) request.log.error({ err: error }, "request failed");
    else request.log.info({ err: hubError }, "request refused");
    metrics.errors.inc({ code: hubError.code });
    // Closing with the body unread resets the connection, and a client still sending never reads the 413.
    if ((error as Partial<FastifyError>).code === "FST_ERR_CTP_BODY_TOO_LARGE")
      await discardBody(request.raw);
    if (hubError.retryAfterSeconds !== undefined)
      void reply.header("retry-after", String(hubError.retryAfterSeconds));
    return reply.code(hubError.status).send({ error: { code: hubError.code, message: hubError.message } });
  });
  app.setNotFoundHandler((request, reply) => send(reply, noRoute(request.method, request.url), request.url));
}

// Past this the client is not sending a mistake but a flood: the connection is closed with the rest unread.
const DISCARD_LIMIT_BYTES = 64 * 1024 * 1024;

/** Reads and drops the rest of a request body, up to DISCARD_LIMIT_BYTES; resolves when it ended or at the limit. */
export function discardBody(incoming: IncomingMessage, limitBytes = DISCARD_LIMIT_BYTES): Promise<void> {
  return new Promise((resolve) => {
    if (incoming.complete || incoming.readableEnded || incoming.destroyed) return resolve();
    let seen = 0;
    const finish = (): void => {
      incoming.off("data", count);
      resolve();
    };
    const count = (chunk: Buffer): void => {
      seen += chunk.length;
      if (seen > limitBytes) finish();
    };
    incoming.on("data", count);
    incoming.once("end", finish);
    incoming.once("close", finish);
    incoming.once("error", finish);
    incoming.resume();
  });
}

export function toHubError(error: unknown, bodyLimitBytes: number): HubError {
  if (error instanceof HubError) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const context = (error as FastifyError).validationContext ?? "request";
    const problems = error.validation.map((issue) => {
      const field = issue.instancePath.replace(/^\//, "").replaceAll("/", ".");
      const message = issue.message ?? "is not valid";
      // Our schemas' messages already name their field ("cpu must be…"); others get it prefixed.
      const topLevel = field.split(".")[0] ?? "";
      if (topLevel !== "" && message.startsWith(topLevel)) {
        return field === topLevel ? message : `${message} (at ${field})`;
      }
      return `${field || context}: ${message}`;
    });
    return new HubError("invalid_request", problems.join("; "));
  }
  const statusCode = (error as Partial<FastifyError>).statusCode;
  if (statusCode === 413)
    return new HubError("payload_too_large", `request body over the limit of ${bodyLimitBytes} bytes`);
  if (statusCode === 415) return new HubError("invalid_request", "Content-Type must be application/json");
  // Fastify's own 4xx (unparseable JSON, empty body with a JSON content type) describe the request, not the Hub.
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
    return new HubError("invalid_request", (error as Error).message);
  }
  return new HubError("internal", "internal error", undefined, { cause: error });
}

/** A path the router refuses: an over-long id cannot name a container; anything else is a bad request. */
export function sendRouterError(error: FastifyError, reply: FastifyReply): void {
  const tooLong = error.code === "FST_ERR_MAX_PARAM_LENGTH";
  const body = tooLong
    ? { code: "not_found", message: "no such container: ids are cnt- and 5-12 lowercase letters or digits" }
    : { code: "invalid_request", message: error.message };
  void reply.code(tooLong ? 404 : 400).send({ error: body });
}
