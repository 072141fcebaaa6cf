import { maxHeaderSize, STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import { HubError } from "../errors.js";

/**
 * What Node's HTTP parser refuses before any route sees the request (fastify's `clientErrorHandler`):
 * malformed framing, oversized headers, a request not received in time. Answered in the Hub's one
 * error shape, then the connection is closed, as Node does itself (http.Server 'clientError').
 */
export function clientErrorOf(error: NodeJS.ErrnoException & { reason?: string }): HubError {
  if (error.code === "HPE_HEADER_OVERFLOW")
    return new HubError(
      "headers_too_large",
      `the request line and headers are over ${maxHeaderSize} bytes together`,
    );
  if (error.code === "ERR_HTTP_REQUEST_TIMEOUT")
    return new HubError("request_timeout", "the request was not received in time");
  const reason = error.reason ?? error.code ?? "unparseable";
  return new HubError("invalid_request", `malformed HTTP request: ${reason}`);
}

/** Writes a whole response carrying `error` straight to the socket (no fastify reply exists yet) and closes it. */
export function answerOnSocketAndClose(socket: Socket, error: HubError): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ error: { code: error.code, message: error.message } });
  if (socket.writable) {
    socket.end(
      `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? ""}\r\n` +
        "Connection: close\r\nContent-Type: application/json; charset=utf-8\r\n" +
        (error.retryAfterSeconds === undefined ? "" : `Retry-After: ${error.retryAfterSeconds}\r\n`) +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroySoon();
}

/** fastify's clientErrorHandler: a reset needs no answer; everything else gets the Hub's shape. */
export function clientErrorHandler(
  onError: (error: HubError) => void,
): (error: NodeJS.ErrnoException, socket: Socket) => void {
  return (error, socket) => {
    if (error.code === "ECONNRESET" || socket.destroyed) return;
    const hubError = clientErrorOf(error);
    onError(hubError);
    answerOnSocketAndClose(socket, hubError);
  };
}
