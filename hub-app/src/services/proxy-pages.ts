import type { IncomingMessage, ServerResponse } from "node:http";
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { ERROR_STATUS, type ErrorCode } from "../errors.js";

/**
 * What a browser (or curl) gets when a port URL cannot reach the app: a short page that says
 * what is wrong, for people; the Hub's JSON error shape for programs that do not ask for HTML.
 * Never the app's own words, never internals.
 */
export interface ProxyRefusal {
  readonly code: ErrorCode;
  readonly message: string;
  readonly retryAfterSeconds?: number;
}

export function sendRefusal(req: IncomingMessage, res: ServerResponse, refusal: ProxyRefusal): void {
  const status = ERROR_STATUS[refusal.code];
  const wantsHtml = (req.headers.accept ?? "").includes("text/html");
  const body = wantsHtml
    ? page(status, refusal.message)
    : JSON.stringify({ error: { code: refusal.code, message: refusal.message } });
  res.writeHead(status, {
    "content-type": wantsHtml ? "text/html; charset=utf-8" : "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
    ...(refusal.retryAfterSeconds === undefined ? {} : { "retry-after": String(refusal.retryAfterSeconds) }),
  });
  res.end(req.method === "HEAD" ? undefined : body);
}

/** A WebSocket handshake the Hub refuses: a plain HTTP answer on the raw socket, then close. */
export function refuseUpgrade(socket: Duplex, refusal: ProxyRefusal): void {
  const status = ERROR_STATUS[refusal.code];
  const body = JSON.stringify({ error: { code: refusal.code, message: refusal.message } });
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}\r\n` +
      "Content-Type: application/json; charset=utf-8\r\n" +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      "Connection: close\r\n\r\n" +
      body,
  );
}

function page(status: number, message: string): string {
  const title = `${status} ${STATUS_CODES[status] ?? ""}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem">
<h1 style="font-size: 1.3rem">${title}</h1>
<p>${escapeHtml(message)}</p>
<p style="color: #666; font-size: 0.9rem">Sent by the sandbox Hub, not by the app.</p>
</body></html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[char]!,
  );
}
