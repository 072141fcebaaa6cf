import type { z } from "zod";
import { describeEnvIssues } from "./env-fields.js";
import { defaultImageOf, hubEnvSchema, warmPoolsOf, type HubEnv } from "./hub-env.js";
import type { AdmissionLimits, ServerLimits } from "./server-limits.js";
import { descriptorOf, type OrchestratorKind, type OrchestratorSelection } from "./orchestrator/registry.js";
import type { WarmPoolSpec } from "./services/pools/pool-spec.js";

// This file and what it imports must not use `import.meta`: the CommonJS infrastructure tests import parseHubEnv.

export type { OrchestratorSelection } from "./orchestrator/registry.js";
export { hubEnvSchema } from "./hub-env.js";

export interface HubLimits {
  readonly cpuMin: number;
  readonly cpuMax: number;
  readonly cpuDefault: number;
  readonly memoryMinMiB: number;
  readonly memoryMaxMiB: number;
  readonly memoryDefaultMiB: number;
  readonly ttlDefaultSeconds: number;
  readonly ttlMinSeconds: number;
  readonly ttlMaxSeconds: number;
  readonly runTimeoutDefaultMs: number;
  readonly runTimeoutMaxMs: number;
  readonly outputLimitBytes: number;
  readonly bodyLimitBytes: number;
  readonly filesMaxCount: number;
  readonly filesMaxBytes: number;
  readonly createTimeoutMs: number;
}

/** How students reach their apps (docs/hub.md, "Port URLs"). */
export interface PortUrlConfig {
  /** The Hub's public origin; absent: the origin each mint request came to. */
  readonly publicUrl?: string;
  /** Host-based URLs under this domain; absent: path-based under publicUrl. */
  readonly previewDomain?: string;
  readonly connectTimeoutMs: number;
  readonly responseTimeoutMs: number;
  readonly maxConnectionsPerContainer: number;
}

export interface HubConfig {
  readonly orchestrator: OrchestratorSelection;
  /** Absent when neither HUB_API_TOKEN nor a secret is given (a local Hub then generates one). */
  readonly apiToken?: string;
  readonly apiTokenSecretArn?: string;
  readonly port: number;
  readonly host: string;
  readonly instance: string;
  readonly logLevel: HubEnv["LOG_LEVEL"];
  readonly defaultImage: string;
  readonly limits: HubLimits;
  readonly server: ServerLimits;
  readonly admission: AdmissionLimits;
  readonly reaperIntervalMs: number;
  readonly warmPools: {
    readonly pools: readonly WarmPoolSpec[];
    /** How often each pool is listed, refilled, trimmed and recycled (and at once after a claim). */
    readonly intervalMs: number;
  };
  readonly portUrls: PortUrlConfig;
}

/** Validates the whole environment; throws an Error naming every bad variable and what it allows. */
export function parseHubEnv(env: NodeJS.ProcessEnv): HubConfig {
  const common = hubEnvSchema.safeParse(env);
  if (!common.success) throw new Error(`invalid Hub configuration: ${describeEnvIssues(common.error)}`);
  return toHubConfig(common.data, parseOrchestratorEnv(common.data.HUB_ORCHESTRATOR, env));
}

function parseOrchestratorEnv(kind: OrchestratorKind, env: NodeJS.ProcessEnv): OrchestratorSelection {
  const parsed = (descriptorOf(kind).envSchema as z.ZodType).safeParse(env);
  if (!parsed.success)
    throw new Error(`invalid ${kind} orchestrator configuration: ${describeEnvIssues(parsed.error)}`);
  return { kind, settings: parsed.data } as OrchestratorSelection;
}

function toHubConfig(env: HubEnv, orchestrator: OrchestratorSelection): HubConfig {
  return {
    orchestrator,
    ...(env.HUB_API_TOKEN === undefined ? {} : { apiToken: env.HUB_API_TOKEN }),
    ...(env.HUB_API_TOKEN_SECRET_ARN === undefined
      ? {}
      : { apiTokenSecretArn: env.HUB_API_TOKEN_SECRET_ARN }),
    port: env.PORT,
    host: env.HOST,
    instance: env.HUB_INSTANCE,
    logLevel: env.LOG_LEVEL,
    defaultImage: defaultImageOf(env),
    limits: {
      cpuMin: env.HUB_CPU_MIN,
      cpuMax: env.HUB_CPU_MAX,
      cpuDefault: env.HUB_DEFAULT_CPU,
      memoryMinMiB: env.HUB_MEMORY_MIN_MIB,
      memoryMaxMiB: env.HUB_MEMORY_MAX_MIB,
      memoryDefaultMiB: env.HUB_DEFAULT_MEMORY_MIB,
      ttlDefaultSeconds: env.HUB_TTL_DEFAULT_SECONDS,
      ttlMinSeconds: env.HUB_TTL_MIN_SECONDS,
      ttlMaxSeconds: env.HUB_TTL_MAX_SECONDS,
      runTimeoutDefaultMs: env.HUB_RUN_TIMEOUT_DEFAULT_MS,
      runTimeoutMaxMs: env.HUB_RUN_TIMEOUT_MAX_MS,
      outputLimitBytes: env.HUB_OUTPUT_LIMIT_BYTES,
      bodyLimitBytes: env.HUB_BODY_LIMIT_BYTES,
      filesMaxCount: env.HUB_FILES_MAX_COUNT,
      filesMaxBytes: env.HUB_FILES_MAX_BYTES,
      createTimeoutMs: env.HUB_CREATE_TIMEOUT_MS,
    },
    server: {
      ...(env.HUB_METRICS_TOKEN === undefined ? {} : { metricsToken: env.HUB_METRICS_TOKEN }),
      headersTimeoutMs: env.HUB_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: env.HUB_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: env.HUB_KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: env.HUB_MAX_CONNECTIONS,
      maxConnectionsPerClient: env.HUB_MAX_CONNECTIONS_PER_CLIENT,
    },
    admission: {
      createConcurrency: env.HUB_CREATE_CONCURRENCY || descriptorOf(env.HUB_ORCHESTRATOR).createConcurrency,
      createQueue: env.HUB_CREATE_QUEUE,
    },
    reaperIntervalMs: env.HUB_REAPER_INTERVAL_MS,
    warmPools: { pools: warmPoolsOf(env), intervalMs: env.HUB_WARM_POOL_INTERVAL_MS },
    portUrls: {
      ...(env.HUB_PUBLIC_URL === undefined ? {} : { publicUrl: env.HUB_PUBLIC_URL }),
      ...(env.HUB_PREVIEW_DOMAIN === undefined ? {} : { previewDomain: env.HUB_PREVIEW_DOMAIN }),
      connectTimeoutMs: env.HUB_PROXY_CONNECT_TIMEOUT_MS,
      responseTimeoutMs: env.HUB_PROXY_RESPONSE_TIMEOUT_MS,
      maxConnectionsPerContainer: env.HUB_PROXY_MAX_CONNECTIONS_PER_CONTAINER,
    },
  };
}
