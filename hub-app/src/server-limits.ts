import { z } from "zod";
import { numberEnv } from "./env-fields.js";

/**
 * Limits of the HTTP server itself: how long a client may take to send a request, how many
 * connections the Hub holds, who may read /metrics. They keep slow or hostile clients from
 * holding the Hub's file descriptors and memory.
 */

const MIN_TOKEN_LENGTH = 16;

/** A token variable: absent or empty is unset; whitespace alone, or around it, is a mistake to refuse, not to ignore. */
export function tokenEnv(name: string) {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw === "") return undefined;
      const problem =
        raw.trim() === ""
          ? `${name} is only whitespace: unset it or give a token`
          : raw.trim() !== raw
            ? `${name} must not begin or end with whitespace (an Authorization header cannot carry it)`
            : raw.length < MIN_TOKEN_LENGTH
              ? `${name} must be at least ${MIN_TOKEN_LENGTH} characters`
              : undefined;
      if (problem === undefined) return raw;
      ctx.issues.push({ code: "custom", input: raw, message: problem });
      return z.NEVER;
    });
}

export const serverEnvFields = {
  HUB_METRICS_TOKEN: tokenEnv("HUB_METRICS_TOKEN").describe(
    "bearer token of `GET /metrics` (same rules as `HUB_API_TOKEN`); unset, `/metrics` takes the API token",
  ),
  // Node's own default is 60 s; a client that has not sent its headers in 10 s is not a browser or an SDK.
  HUB_HEADERS_TIMEOUT_MS: numberEnv(
    "HUB_HEADERS_TIMEOUT_MS",
    { min: 100, max: 600_000, integer: true },
    10_000,
  ).describe(
    "time to receive a request's headers, on every route (Node's `server.headersTimeout`); then 408 and close",
  ),
  HUB_REQUEST_TIMEOUT_MS: numberEnv(
    "HUB_REQUEST_TIMEOUT_MS",
    { min: 100, max: 3_600_000, integer: true },
    60_000,
  ).describe(
    "time to receive a whole `/v1` request, body included; then 408 and close. Only the API's routes: proxied uploads, streams and upgraded (WebSocket) connections are not cut",
  ),
  // Above the 60 s idle timeout of an AWS Application Load Balancer, so the balancer, not the Hub, closes idle connections.
  HUB_KEEP_ALIVE_TIMEOUT_MS: numberEnv(
    "HUB_KEEP_ALIVE_TIMEOUT_MS",
    { min: 100, max: 3_600_000, integer: true },
    72_000,
  ).describe("an idle keep-alive connection is closed after this (above an ALB's 60 s idle timeout)"),
  HUB_MAX_CONNECTIONS: numberEnv(
    "HUB_MAX_CONNECTIONS",
    { min: 16, max: 1_000_000, integer: true },
    10_000,
  ).describe(
    "connections held at once; more are closed at once (Node's `server.maxConnections`). Keep it below `ulimit -n`",
  ),
  // Above a load test's burst (1000 creates sent at once from one machine), far below HUB_MAX_CONNECTIONS.
  HUB_MAX_CONNECTIONS_PER_CLIENT: numberEnv(
    "HUB_MAX_CONNECTIONS_PER_CLIENT",
    { min: 0, max: 1_000_000, integer: true },
    2000,
  ).describe(
    "connections one client (an IPv4 address, an IPv6 /64) may hold at once; more are answered 429 and closed. `0`: no such cap, for a Hub behind a load balancer whose few addresses every client arrives from (the stacks set it)",
  ),
  // 0: the orchestrator's own (its descriptor's createConcurrency).
  HUB_CREATE_CONCURRENCY: numberEnv(
    "HUB_CREATE_CONCURRENCY",
    { min: 0, max: 10_000, integer: true },
    0,
  ).describe("creates the orchestrator works on at once; waiting for readiness does not count"),
  // A whole 1000-container burst waits its turn; more is refused with 429 and Retry-After.
  HUB_CREATE_QUEUE: numberEnv("HUB_CREATE_QUEUE", { min: 0, max: 100_000, integer: true }, 1000).describe(
    "creates that may wait for a slot, first come first served; beyond it 429 with `Retry-After`",
  ),
};

/** How many creates run at once and how many may wait (per Hub, so per orchestrator). */
export interface AdmissionLimits {
  readonly createConcurrency: number;
  readonly createQueue: number;
}

export interface ServerLimits {
  /** Bearer token of GET /metrics; absent, the API token. */
  readonly metricsToken?: string;
  /** Time to receive a request's headers, every route (Node's server.headersTimeout). */
  readonly headersTimeoutMs: number;
  /** Time to receive a whole API request, body included; only /v1 routes, so proxied streams are not cut. */
  readonly requestTimeoutMs: number;
  /** How long an idle keep-alive connection is kept between requests. */
  readonly keepAliveTimeoutMs: number;
  /** Connections held at once; beyond it new ones are closed at once (Node's server.maxConnections). */
  readonly maxConnections: number;
  /** Connections one client may hold at once (client-connections.ts); 0: no cap. */
  readonly maxConnectionsPerClient: number;
}

/** fastify's options for these limits (the per-route request deadline is installed with the API routes). */
export function serverOptions(limits: ServerLimits) {
  return {
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // 0: no server-wide deadline for a whole request, which would cut long proxied uploads and streams.
    requestTimeout: 0,
    connectionTimeout: 0,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      // Node checks the deadlines only this often (30 s by default), so a 10 s deadline needs a tighter check.
      connectionsCheckingInterval: Math.min(1000, Math.max(50, Math.floor(limits.headersTimeoutMs / 4))),
    },
  };
}
