import { z } from "zod";
import { choiceEnv, numberEnv, optionalTextEnv, wordList } from "./env-fields.js";
import { portUrlEnvFields } from "./port-url-env.js";
import { serverEnvFields, tokenEnv } from "./server-limits.js";
import { descriptorOf, ORCHESTRATOR_KINDS, ORCHESTRATORS } from "./orchestrator/registry.js";
import { warmPoolsEnv } from "./services/pools/pool-env.js";
import { poolProblems, resolvePools, type WarmPoolSpec } from "./services/pools/pool-spec.js";

/*
 * The variables every Hub reads, whatever its orchestrator. Each one's meaning is its .describe()
 * and its default is what it parses `undefined` to: docs/hub-environment.md is generated from
 * them (npm run docs:env). This file and what it imports must not use `import.meta`: the
 * CommonJS infrastructure tests import parseHubEnv.
 */

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
// A Kubernetes label value (sandbox.hub/instance=<HUB_INSTANCE>): 63 characters, alphanumeric ends.
const INSTANCE_PATTERN = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const TOKEN_REQUIRED_KINDS = ORCHESTRATORS.filter((d) => d.tokenRequired).map((d) => d.kind);

/** A default that depends on the orchestrator, in words: "`host` (local), `python:3.12-slim` (kubernetes, ecs)". */
function perOrchestrator(valueOf: (descriptor: (typeof ORCHESTRATORS)[number]) => string): string {
  const kindsByValue = new Map<string, string[]>();
  for (const descriptor of ORCHESTRATORS) {
    const value = valueOf(descriptor);
    kindsByValue.set(value, [...(kindsByValue.get(value) ?? []), descriptor.kind]);
  }
  return [...kindsByValue].map(([value, kinds]) => `\`${value}\` (${kinds.join(", ")})`).join(", ");
}

const cpuEnv = (name: string, fallback: number) => numberEnv(name, { min: 0.01, max: 192 }, fallback);
const memoryEnv = (name: string, fallback: number) =>
  numberEnv(name, { min: 16, max: 1_048_576, integer: true }, fallback);
const ttlEnv = (name: string, fallback: number) =>
  numberEnv(name, { min: 1, max: 31_536_000, integer: true }, fallback);
const runTimeoutEnv = (name: string, fallback: number) =>
  numberEnv(name, { min: 100, max: 86_400_000, integer: true }, fallback);
const bytesEnv = (name: string, min: number, fallback: number) =>
  numberEnv(name, { min, max: 1_073_741_824, integer: true }, fallback);

/** The variables every Hub reads, whatever its orchestrator; each orchestrator's own are in its descriptor. */
export const hubEnvFields = {
  HUB_ORCHESTRATOR: choiceEnv("HUB_ORCHESTRATOR", ORCHESTRATOR_KINDS, "local").describe(
    `${wordList(ORCHESTRATOR_KINDS, "or")}: where sandboxes run`,
  ),
  HUB_API_TOKEN: tokenEnv("HUB_API_TOKEN").describe(
    "the bearer token, at least 16 characters; only whitespace, or whitespace around it, is refused (empty is unset)",
  ),
  HUB_METRICS_TOKEN: serverEnvFields.HUB_METRICS_TOKEN,
  HUB_API_TOKEN_SECRET_ARN: optionalTextEnv()
    .refine((arn) => arn === undefined || arn.startsWith("arn:"), {
      error: 'HUB_API_TOKEN_SECRET_ARN must be a Secrets Manager ARN ("arn:aws:secretsmanager:...")',
    })
    .describe(
      `Secrets Manager secret holding the token (plain, or JSON with a \`token\` field), read at start when \`HUB_API_TOKEN\` is unset. One of the two is required for ${wordList(TOKEN_REQUIRED_KINDS, "and")}; a local Hub with neither generates a token and prints it`,
    ),
  PORT: numberEnv("PORT", { min: 0, max: 65535, integer: true }, 8080).describe("listening port"),
  HOST: optionalTextEnv()
    .transform((host) => host ?? "127.0.0.1")
    .describe("listening address; the images and stacks set `0.0.0.0`"),
  HUB_INSTANCE: optionalTextEnv()
    .transform((name) => name ?? "hub")
    .refine((name) => INSTANCE_PATTERN.test(name), {
      error:
        "HUB_INSTANCE must be 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit",
    })
    .describe("this Hub's name, a Kubernetes label value; it lists and reaps only containers carrying it"),
  LOG_LEVEL: choiceEnv("LOG_LEVEL", LOG_LEVELS, "info").describe(wordList(LOG_LEVELS, "or")),
  HUB_DEFAULT_IMAGE: optionalTextEnv()
    .meta({ defaultInWords: perOrchestrator((d) => d.defaultImage) })
    .describe("image when a request names none"),
  HUB_CPU_MIN: cpuEnv("HUB_CPU_MIN", 0.1).describe("smallest vCPU a request may ask for"),
  HUB_CPU_MAX: cpuEnv("HUB_CPU_MAX", 4).describe("largest vCPU a request may ask for"),
  HUB_MEMORY_MIN_MIB: memoryEnv("HUB_MEMORY_MIN_MIB", 128).describe(
    "smallest memory (MiB) a request may ask for",
  ),
  HUB_MEMORY_MAX_MIB: memoryEnv("HUB_MEMORY_MAX_MIB", 8192).describe(
    "largest memory (MiB) a request may ask for",
  ),
  HUB_DEFAULT_CPU: cpuEnv("HUB_DEFAULT_CPU", 0.25).describe(
    "vCPU of a container whose request names none; the stacks set `hub.sandboxCpu`",
  ),
  HUB_DEFAULT_MEMORY_MIB: memoryEnv("HUB_DEFAULT_MEMORY_MIB", 512).describe(
    "memory (MiB) of a container whose request names none; the stacks set `hub.sandboxMemoryMiB`",
  ),
  HUB_TTL_DEFAULT_SECONDS: ttlEnv("HUB_TTL_DEFAULT_SECONDS", 3600).describe(
    "lifetime when a request gives none",
  ),
  HUB_TTL_MIN_SECONDS: ttlEnv("HUB_TTL_MIN_SECONDS", 60).describe("shortest lifetime a request may ask for"),
  HUB_TTL_MAX_SECONDS: ttlEnv("HUB_TTL_MAX_SECONDS", 86_400).describe(
    "longest lifetime a request may ask for",
  ),
  HUB_RUN_TIMEOUT_DEFAULT_MS: runTimeoutEnv("HUB_RUN_TIMEOUT_DEFAULT_MS", 30_000).describe(
    "command timeout when a run gives none",
  ),
  HUB_RUN_TIMEOUT_MAX_MS: runTimeoutEnv("HUB_RUN_TIMEOUT_MAX_MS", 600_000).describe(
    "longest command timeout a run may ask for",
  ),
  HUB_OUTPUT_LIMIT_BYTES: bytesEnv("HUB_OUTPUT_LIMIT_BYTES", 1, 1_048_576).describe(
    "bytes kept per stream of a command",
  ),
  HUB_BODY_LIMIT_BYTES: bytesEnv("HUB_BODY_LIMIT_BYTES", 1024, 10_485_760).describe("request body limit"),
  HUB_FILES_MAX_COUNT: numberEnv(
    "HUB_FILES_MAX_COUNT",
    { min: 1, max: 100_000, integer: true },
    100,
  ).describe("files per `PUT .../files` call"),
  HUB_FILES_MAX_BYTES: bytesEnv("HUB_FILES_MAX_BYTES", 1, 10_485_760).describe(
    "decoded bytes of the files of one `PUT .../files` call, in total",
  ),
  HUB_CREATE_TIMEOUT_MS: numberEnv(
    "HUB_CREATE_TIMEOUT_MS",
    { min: 100, max: 3_600_000, integer: true },
    300_000,
  ).describe("how long a create waits for the container to be ready"),
  HUB_CREATE_CONCURRENCY: serverEnvFields.HUB_CREATE_CONCURRENCY.meta({
    defaultInWords: `\`0\`: the orchestrator's own (${ORCHESTRATORS.map((d) => `${d.kind} \`${d.createConcurrency}\``).join(", ")})`,
  }),
  HUB_CREATE_QUEUE: serverEnvFields.HUB_CREATE_QUEUE,
  HUB_REAPER_INTERVAL_MS: numberEnv(
    "HUB_REAPER_INTERVAL_MS",
    { min: 100, max: 86_400_000, integer: true },
    30_000,
  ).describe("how often expired containers are deleted"),
  HUB_WARM_POOL_SIZE: numberEnv("HUB_WARM_POOL_SIZE", { min: 0, max: 1000, integer: true }, 0).describe(
    "members of one warm pool of the Hub's default shape (0-1000); see [warm pools](hub.md#warm-pools)",
  ),
  HUB_WARM_POOLS: warmPoolsEnv().describe(
    'JSON list of pools `{ "image"?, "cpu"?, "memory"?, "placement"?, "size", "maxAgeSeconds"? }`; unset fields take the defaults; at most 1000 members in all, no two pools of one shape',
  ),
  // An hour: long enough that members are rarely recycled unclaimed, short enough that a new image reaches them the same hour.
  HUB_WARM_POOL_MAX_AGE_SECONDS: numberEnv(
    "HUB_WARM_POOL_MAX_AGE_SECONDS",
    { min: 60, max: 604_800, integer: true },
    3600,
  ).describe(
    "an unclaimed member older than this is replaced (60-604800): a new image reaches the pool within the hour",
  ),
  HUB_WARM_POOL_INTERVAL_MS: numberEnv(
    "HUB_WARM_POOL_INTERVAL_MS",
    { min: 100, max: 600_000, integer: true },
    2000,
  ).describe(
    "how often each pool is compared with the orchestrator's members and refilled, trimmed or recycled",
  ),
  HUB_HEADERS_TIMEOUT_MS: serverEnvFields.HUB_HEADERS_TIMEOUT_MS,
  HUB_REQUEST_TIMEOUT_MS: serverEnvFields.HUB_REQUEST_TIMEOUT_MS,
  HUB_KEEP_ALIVE_TIMEOUT_MS: serverEnvFields.HUB_KEEP_ALIVE_TIMEOUT_MS,
  HUB_MAX_CONNECTIONS: serverEnvFields.HUB_MAX_CONNECTIONS,
  HUB_MAX_CONNECTIONS_PER_CLIENT: serverEnvFields.HUB_MAX_CONNECTIONS_PER_CLIENT,
  ...portUrlEnvFields,
};

export const hubEnvSchema = z.object(hubEnvFields).superRefine((env, ctx) => {
  type NumericKey = {
    [K in keyof typeof env]: (typeof env)[K] extends number ? K : never;
  }[keyof typeof env];
  const ordered = (low: NumericKey, high: NumericKey, path: string): void => {
    if (Number(env[low]) > Number(env[high])) {
      ctx.addIssue({
        code: "custom",
        path: [path],
        message: `${low} (${env[low]}) must not exceed ${high} (${env[high]})`,
      });
    }
  };
  ordered("HUB_CPU_MIN", "HUB_CPU_MAX", "HUB_CPU_MIN");
  ordered("HUB_MEMORY_MIN_MIB", "HUB_MEMORY_MAX_MIB", "HUB_MEMORY_MIN_MIB");
  ordered("HUB_CPU_MIN", "HUB_DEFAULT_CPU", "HUB_DEFAULT_CPU");
  ordered("HUB_DEFAULT_CPU", "HUB_CPU_MAX", "HUB_DEFAULT_CPU");
  ordered("HUB_MEMORY_MIN_MIB", "HUB_DEFAULT_MEMORY_MIB", "HUB_DEFAULT_MEMORY_MIB");
  ordered("HUB_DEFAULT_MEMORY_MIB", "HUB_MEMORY_MAX_MIB", "HUB_DEFAULT_MEMORY_MIB");
  ordered("HUB_TTL_MIN_SECONDS", "HUB_TTL_DEFAULT_SECONDS", "HUB_TTL_DEFAULT_SECONDS");
  ordered("HUB_TTL_DEFAULT_SECONDS", "HUB_TTL_MAX_SECONDS", "HUB_TTL_DEFAULT_SECONDS");
  ordered("HUB_RUN_TIMEOUT_DEFAULT_MS", "HUB_RUN_TIMEOUT_MAX_MS", "HUB_RUN_TIMEOUT_DEFAULT_MS");
  const kind = env.HUB_ORCHESTRATOR;
  for (const problem of poolProblems(warmPoolsOf(env), {
    cpuMin: env.HUB_CPU_MIN,
    cpuMax: env.HUB_CPU_MAX,
    memoryMinMiB: env.HUB_MEMORY_MIN_MIB,
    memoryMaxMiB: env.HUB_MEMORY_MAX_MIB,
    placements: descriptorOf(kind).placements,
  })) {
    ctx.addIssue({ code: "custom", path: ["HUB_WARM_POOLS"], message: problem });
  }
  if (
    descriptorOf(kind).tokenRequired &&
    env.HUB_API_TOKEN === undefined &&
    env.HUB_API_TOKEN_SECRET_ARN === undefined
  ) {
    ctx.addIssue({
      code: "custom",
      path: ["HUB_API_TOKEN"],
      message: `HUB_API_TOKEN or HUB_API_TOKEN_SECRET_ARN is required when HUB_ORCHESTRATOR=${kind} (only a local Hub generates its own token)`,
    });
  }
});

export type HubEnv = z.output<typeof hubEnvSchema>;

export function defaultImageOf(env: Pick<HubEnv, "HUB_DEFAULT_IMAGE" | "HUB_ORCHESTRATOR">): string {
  return env.HUB_DEFAULT_IMAGE ?? descriptorOf(env.HUB_ORCHESTRATOR).defaultImage;
}

type PoolEnv = Pick<
  HubEnv,
  | "HUB_DEFAULT_IMAGE"
  | "HUB_ORCHESTRATOR"
  | "HUB_DEFAULT_CPU"
  | "HUB_DEFAULT_MEMORY_MIB"
  | "HUB_WARM_POOL_SIZE"
  | "HUB_WARM_POOLS"
  | "HUB_WARM_POOL_MAX_AGE_SECONDS"
>;

export function warmPoolsOf(env: PoolEnv): WarmPoolSpec[] {
  return resolvePools(env.HUB_WARM_POOLS, {
    image: defaultImageOf(env),
    cpu: env.HUB_DEFAULT_CPU,
    memoryMiB: env.HUB_DEFAULT_MEMORY_MIB,
    maxAgeSeconds: env.HUB_WARM_POOL_MAX_AGE_SECONDS,
    defaultPoolSize: env.HUB_WARM_POOL_SIZE,
  });
}
