import { z } from "zod";
import { numberEnv } from "./env-fields.js";

// This file is imported by config.ts, which the CommonJS infrastructure tests import: no `import.meta`.

// RFC 1035 labels (letters, digits, inner hyphens, at most 63), at least two of them.
const DOMAIN = /^(?=.{1,200}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** HUB_PUBLIC_URL: the Hub's public origin (scheme, host, optional port), as browsers reach it; becomes its origin form. */
export function publicUrlEnv() {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === "") return undefined;
      const url = URL.canParse(raw) ? new URL(raw) : undefined;
      const plain =
        url !== undefined &&
        (url.protocol === "http:" || url.protocol === "https:") &&
        url.pathname === "/" &&
        url.search === "" &&
        url.hash === "" &&
        url.username === "";
      if (plain) return url.origin;
      ctx.issues.push({
        code: "custom",
        input: raw,
        message: `HUB_PUBLIC_URL must be an http(s) origin such as https://hub.example.com, with no path or query (got "${raw}")`,
      });
      return z.NEVER;
    });
}

/** HUB_PREVIEW_DOMAIN: the parent of the host-based URLs (`<id>-<port>.<domain>`); a wildcard DNS record and certificate must cover it. */
export function previewDomainEnv() {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === "") return undefined;
      const domain = raw.trim().toLowerCase().replace(/\.$/, "");
      // localhost: browsers and curl resolve every *.localhost name to loopback (RFC 6761 6.3), for host-based URLs on one machine.
      if (domain === "localhost" || DOMAIN.test(domain)) return domain;
      ctx.issues.push({
        code: "custom",
        input: raw,
        message: `HUB_PREVIEW_DOMAIN must be a DNS name such as sandboxes.example.com, without scheme, port or wildcard (got "${raw}")`,
      });
      return z.NEVER;
    });
}

/** How `POST /v1/containers/:id/ports/:port/url` shapes its URLs and how the proxy behind them behaves (docs/hub.md, "Port URLs"). */
export const portUrlEnvFields = {
  HUB_PUBLIC_URL: publicUrlEnv()
    .meta({ defaultInWords: "the origin each mint request came to" })
    .describe(
      "the Hub's public origin as browsers reach it (`https://hub.example.com`, no path). Its scheme and port are those of every minted URL; `https` makes the credential cookie `Secure` and `X-Forwarded-Proto: https`",
    ),
  HUB_PREVIEW_DOMAIN: previewDomainEnv()
    .meta({ defaultInWords: "(none: path-based URLs)" })
    .describe(
      "a DNS name such as `sandboxes.example.com`: URLs become `https://<id>-<port>.sandboxes.example.com/`. Unset: `<HUB_PUBLIC_URL>/preview/<id>-<port>/`. `localhost` works on one machine (every `*.localhost` name is loopback)",
    ),
  // A few seconds: a refused connection fails at once; this bounds a dropped one (a security group, a gone pod).
  HUB_PROXY_CONNECT_TIMEOUT_MS: numberEnv(
    "HUB_PROXY_CONNECT_TIMEOUT_MS",
    { min: 100, max: 60_000, integer: true },
    5000,
  ).describe(
    'dialing the app; past it the browser gets a 502 ("nothing is listening"). A refused connection is a 502 at once',
  ),
  HUB_PROXY_RESPONSE_TIMEOUT_MS: numberEnv(
    "HUB_PROXY_RESPONSE_TIMEOUT_MS",
    { min: 100, max: 3_600_000, integer: true },
    60_000,
  ).describe(
    "connected, waiting for the response's headers; past it a 504. A response that has started (a download, server-sent events, a WebSocket) is never cut by the Hub",
  ),
  // A browser opens at most 6 connections per host (HTTP/1.1); room for a dev server's WebSocket, SSE and several tabs.
  HUB_PROXY_MAX_CONNECTIONS_PER_CONTAINER: numberEnv(
    "HUB_PROXY_MAX_CONNECTIONS_PER_CONTAINER",
    { min: 1, max: 100_000, integer: true },
    64,
  ).describe(
    "open proxied requests and WebSockets of one container at once; past it a 429 with `Retry-After: 1`",
  ),
};
