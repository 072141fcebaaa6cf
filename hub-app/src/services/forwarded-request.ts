import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { CREDENTIAL_NAME, type PortAddress } from "./port-addresses.js";

/**
 * What the app receives instead of the browser's request: the credential taken out of the query
 * and the cookies, the Hub's own bearer token dropped, hop-by-hop headers removed (RFC 9110
 * section 7.6.1), and X-Forwarded-* saying where the request really came from.
 */

// Hop-by-hop: meaningful for one connection only, never forwarded (RFC 9110 7.6.1; Keep-Alive RFC 2068 19.7.1).
const HOP_BY_HOP = ["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding"];

export interface ForwardingContext {
  readonly address: PortAddress;
  /** `http` or `https`: what the browser used (from the Hub's public URL behind a TLS load balancer). */
  readonly publicProto: string;
  /** Digest of `Bearer <API token>`: such an Authorization header is the Hub's, never the app's. */
  readonly hubAuthorization: Buffer;
  readonly upgrade: boolean;
}

/** The path and query the app sees: the address's path without the credential parameter. */
export function forwardedPath(address: PortAddress): string {
  const queryAt = address.path.indexOf("?");
  if (queryAt === -1) return address.path;
  const params = new URLSearchParams(address.path.slice(queryAt + 1));
  if (!params.has(CREDENTIAL_NAME)) return address.path;
  params.delete(CREDENTIAL_NAME);
  const query = params.toString();
  return `${address.path.slice(0, queryAt)}${query === "" ? "" : `?${query}`}`;
}

/** Rewrites `req.headers` in place for the app (http-proxy-3 copies them from the request). */
export function rewriteHeaders(req: IncomingMessage, context: ForwardingContext): void {
  const headers = req.headers;
  const listed = (headers.connection ?? "")
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== "" && name !== "upgrade");
  for (const name of [...HOP_BY_HOP, ...listed]) delete headers[name];
  if (context.upgrade) headers.connection = "upgrade";
  else delete headers.upgrade;

  if (headers.authorization !== undefined && isHubAuthorization(headers.authorization, context)) {
    delete headers.authorization;
  }
  const cookie = withoutCredentialCookie(headers.cookie);
  if (cookie === undefined) delete headers.cookie;
  else headers.cookie = cookie;

  const originalHost = headers.host ?? "";
  headers["x-forwarded-host"] = originalHost;
  headers["x-forwarded-proto"] = context.publicProto;
  const client = req.socket.remoteAddress ?? "";
  headers["x-forwarded-for"] = appendForwardedFor(headers["x-forwarded-for"], client);
  if (context.address.prefix === undefined) delete headers["x-forwarded-prefix"];
  else headers["x-forwarded-prefix"] = context.address.prefix;
  // Dev servers accept their own name (Django's DEBUG ALLOWED_HOSTS, Vite's allowedHosts); the public one is in X-Forwarded-Host.
  headers.host = `localhost:${context.address.port}`;
}

/** Every value of the credential cookie in a Cookie header (an app on a sibling host may have added one for the parent domain). */
export function credentialCookies(cookie: string | undefined): string[] {
  return cookiePairs(cookie)
    .filter(([name]) => name === CREDENTIAL_NAME)
    .map(([, value]) => value);
}

export function credentialInQuery(address: PortAddress): string | undefined {
  const queryAt = address.path.indexOf("?");
  if (queryAt === -1) return undefined;
  return new URLSearchParams(address.path.slice(queryAt + 1)).get(CREDENTIAL_NAME) ?? undefined;
}

export function hubAuthorizationDigest(apiToken: string): Buffer {
  return digest(`Bearer ${apiToken}`);
}

function isHubAuthorization(value: string, context: ForwardingContext): boolean {
  return timingSafeEqual(digest(value), context.hubAuthorization);
}

function withoutCredentialCookie(cookie: string | undefined): string | undefined {
  if (cookie === undefined) return undefined;
  const kept = cookie
    .split(";")
    .map((pair) => pair.trim())
    .filter((pair) => pair !== "" && pair.split("=", 1)[0]!.trim() !== CREDENTIAL_NAME);
  return kept.length === 0 ? undefined : kept.join("; ");
}

function cookiePairs(cookie: string | undefined): [string, string][] {
  if (cookie === undefined) return [];
  return cookie.split(";").flatMap((pair): [string, string][] => {
    const equals = pair.indexOf("=");
    return equals === -1 ? [] : [[pair.slice(0, equals).trim(), pair.slice(equals + 1).trim()]];
  });
}

function appendForwardedFor(existing: IncomingHttpHeaders["x-forwarded-for"], client: string): string {
  const previous = Array.isArray(existing) ? existing.join(", ") : existing;
  return previous === undefined || previous === "" ? client : `${previous}, ${client}`;
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}
