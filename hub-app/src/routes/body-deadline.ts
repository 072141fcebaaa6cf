import type { FastifyInstance } from "fastify";
import { HubError } from "../errors.js";
import { answerOnSocketAndClose } from "./client-error.js";

/**
 * A deadline for receiving a whole request, body included, on the routes of `app` only. Node's
 * server-wide `requestTimeout` would also cut streamed bodies that other routes proxy to a
 * sandbox; here a client that trickles an API body is answered 408 and disconnected.
 */
export function bodyDeadline(
  app: FastifyInstance,
  timeoutMs: number,
  onTimeout: (error: HubError) => void,
): void {
  app.addHook("onRequest", (request, _reply, done) => {
    const incoming = request.raw;
    if (incoming.complete) return done();
    const timer = setTimeout(() => {
      if (incoming.complete) return;
      const error = new HubError(
        "request_timeout",
        `the request body was not received within ${timeoutMs} ms (HUB_REQUEST_TIMEOUT_MS)`,
      );
      onTimeout(error);
      answerOnSocketAndClose(incoming.socket, error);
    }, timeoutMs);
    const clear = (): void => clearTimeout(timer);
    incoming.once("end", clear);
    incoming.once("close", clear);
    done();
  });
}
