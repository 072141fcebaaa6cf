import { z } from "zod";
import type { HubLimits } from "./config.js";
import { CONTAINER_ID_PATTERN } from "./ids.js";
import { PLACEMENTS, type Placement } from "./orchestrator/registry.js";
import {
  FILE_PATH_PATTERN,
  filePathProblem,
  MAX_PATH_CHARS,
  RELATIVE_PATH_PATTERN,
  relativePathProblem,
} from "./paths.js";
import { hasLoneSurrogate, LONE_SURROGATE_PROBLEM } from "./unicode.js";

/** Request and response schemas; the limits come from the configuration, so messages state the configured range. */

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// Enough for any real program; bounds the work a single request can cause.
const MAX_ENV_ENTRIES = 100;
// One argument or variable of exec(2) may be at most 128 KiB (MAX_ARG_STRLEN): 32 Ki characters of up to 4 bytes.
const MAX_ARG_CHARS = 32_768;
const MAX_PORTS = 20;
const MAX_COMMAND_ARGS = 1000;

function numberIn(field: string, min: number, max: number, integer: boolean) {
  const allowed = `${field} must be ${integer ? "an integer" : "a number"} from ${min} to ${max}`;
  const base = z.number({ error: allowed });
  return (integer ? base.int({ error: allowed }) : base)
    .min(min, { error: allowed })
    .max(max, { error: allowed });
}

/** A string that becomes one argument or variable of exec(2): within its size limit, without NUL. */
const execString = (what: string) =>
  z
    .string({ error: `${what} must be strings` })
    .max(MAX_ARG_CHARS, { error: `${what} must be at most ${MAX_ARG_CHARS} characters` })
    .refine((value) => !value.includes("\0"), { error: `${what} must not contain NUL` })
    .refine((value) => !hasLoneSurrogate(value), { error: `${what} ${LONE_SURROGATE_PROBLEM}` });

const relativePath = (field: string, check = relativePathProblem, pattern = RELATIVE_PATH_PATTERN) =>
  z
    .string({ error: `${field} must be a string` })
    .superRefine((path, ctx) => {
      const problem = check(path);
      if (problem !== undefined)
        ctx.addIssue({ code: "custom", message: `${field} ${problem} (got "${path.slice(0, 100)}")` });
    })
    // Documented only (the check above words the error): length and pattern in the OpenAPI document.
    .meta({ minLength: 1, maxLength: MAX_PATH_CHARS, pattern });

const envSchema = (field: string) =>
  z
    .record(z.string(), execString(`${field} values`), { error: `${field} must be an object of strings` })
    .superRefine((env, ctx) => {
      const names = Object.keys(env);
      const bad = names.find((name) => !ENV_NAME.test(name));
      if (bad !== undefined)
        ctx.addIssue({
          code: "custom",
          message: `${field} names must match ${ENV_NAME.source} (got "${bad.slice(0, 100)}")`,
        });
      if (names.length > MAX_ENV_ENTRIES)
        ctx.addIssue({ code: "custom", message: `${field} may have at most ${MAX_ENV_ENTRIES} entries` });
    });

/** `POST /v1/containers`; `placements` are the ones this Hub serves (the document lists only those). */
export function createContainerBody(limits: HubLimits, placements: readonly Placement[] = PLACEMENTS) {
  const served = placements as [Placement, ...Placement[]];
  return z.strictObject({
    image: z
      .string({ error: "image must be a string" })
      .min(1)
      .max(512, { error: "image must be 1-512 characters" })
      .optional(),
    cpu: numberIn("cpu", limits.cpuMin, limits.cpuMax, false).optional(),
    memory: numberIn("memory (MiB)", limits.memoryMinMiB, limits.memoryMaxMiB, true).optional(),
    placement: z
      .enum(served, {
        error: (issue) =>
          `placement must be one of ${served.join(", ")} on this Hub (got ${JSON.stringify(issue.input)})`,
      })
      .optional(),
    ttlSeconds: numberIn("ttlSeconds", limits.ttlMinSeconds, limits.ttlMaxSeconds, true).optional(),
    env: envSchema("env").optional(),
    ports: z
      .array(numberIn("ports[]", 1, 65535, true), { error: "ports must be an array of port numbers" })
      .max(MAX_PORTS, { error: `ports may list at most ${MAX_PORTS} ports` })
      .optional(),
  });
}

/** `PATCH /v1/containers/:id`: a new lifetime, counted from now (a student session kept alive). */
export function extendContainerBody(limits: HubLimits) {
  return z.strictObject({
    ttlSeconds: numberIn("ttlSeconds", limits.ttlMinSeconds, limits.ttlMaxSeconds, true),
  });
}

export const createContainerQuery = z.object({
  wait: z.enum(["true", "false"], { error: "wait must be true or false" }).default("true"),
});

export const containerIdParams = z.object({ id: z.string() });

/** `POST /v1/containers/:id/ports/:port/url`: the port from the path, checked as a number. */
export const portUrlParams = z.object({
  id: z.string(),
  port: z
    .string()
    .regex(/^\d{1,5}$/, { error: "port must be a port number from 1 to 65535" })
    .transform(Number)
    .refine((port) => port >= 1 && port <= 65535, { error: "port must be a port number from 1 to 65535" }),
});

/** Optional body: a shorter life than the container's own (the URL never outlives the container). */
export function portUrlBody(limits: HubLimits) {
  return z
    .strictObject({ ttlSeconds: numberIn("ttlSeconds", 1, limits.ttlMaxSeconds, true).optional() })
    .nullish(); // no body at all reaches validation as null
}

export const portUrlSchema = z.object({
  url: z.string().describe("opens the app in a plain browser until expiresAt; the first visit sets a cookie"),
  expiresAt: z.string(),
});

export function writeFilesBody(limits: HubLimits) {
  const file = z.strictObject({
    path: relativePath("files[].path", filePathProblem, FILE_PATH_PATTERN),
    content: z.string({ error: "files[].content must be a string" }),
    encoding: z
      .enum(["utf8", "base64"], { error: "files[].encoding must be utf8 or base64" })
      .default("utf8"),
    mode: numberIn("files[].mode", 0, 0o777, true).optional(),
  });
  return z.strictObject({
    files: z
      .array(file, { error: "files must be an array" })
      .min(1, { error: "files must hold at least one file" })
      .max(limits.filesMaxCount, { error: `files may hold at most ${limits.filesMaxCount} files per call` }),
  });
}

export function runBody(limits: HubLimits) {
  return z.strictObject({
    command: z
      .array(execString("command items"), {
        error: "command must be an array of strings",
      })
      .min(1, { error: "command must have at least one item (the program)" })
      .max(MAX_COMMAND_ARGS, { error: `command may have at most ${MAX_COMMAND_ARGS} items` })
      .refine((command) => command[0] !== "", { error: "command[0] (the program) must not be empty" }),
    cwd: relativePath("cwd").optional(),
    env: envSchema("env").optional(),
    timeoutMs: numberIn("timeoutMs", 1, limits.runTimeoutMaxMs, true).optional(),
  });
}

export const containerInfoSchema = z.object({
  id: z.string().regex(CONTAINER_ID_PATTERN),
  status: z.enum(["pending", "running", "failed", "terminating"]),
  placement: z.enum(PLACEMENTS),
  image: z.string(),
  cpu: z.number(),
  memory: z.number().describe("MiB"),
  ip: z.string().optional(),
  ports: z
    .array(z.number().int())
    .readonly()
    .describe("the ports the app may serve: the only ones a port URL reaches"),
  createdAt: z.string(),
  readyAt: z.string().optional(),
  expiresAt: z.string(),
  timings: z
    .record(z.string(), z.number())
    .describe(
      "ms since createdAt of each creation phase the orchestrator sees (accepted, scheduled, pulled, started, ready; claimed for a warm-pool claim)",
    ),
  message: z.string().optional(),
});

export const containerListSchema = z.object({ items: z.array(containerInfoSchema) });

/** `POST /v1/containers`: the container, and whether a warm pool served it. */
export const createdContainerSchema = containerInfoSchema.extend({
  warm: z
    .boolean()
    .describe("true: a ready member of a warm pool was claimed (timings.claimed); false: started cold"),
});

export const poolListSchema = z.object({
  items: z.array(
    z.object({
      pool: z.string().describe("the pool's key on the orchestrator (label or tag sandbox.hub/warm-pool)"),
      image: z.string(),
      cpu: z.number(),
      memory: z.number().describe("MiB"),
      placement: z.enum(PLACEMENTS),
      size: z.number().describe("members the pool keeps"),
      ready: z.number().describe("members claimable now, as of the last pass"),
      starting: z.number().describe("members still starting"),
      claimsTotal: z.number().describe("creates served by a claim since this Hub started"),
      missesTotal: z.number().describe("creates of this shape served cold since this Hub started"),
      lastError: z
        .string()
        .optional()
        .describe("why members could not be started or listed, until one is ready again"),
    }),
  ),
});

export const runResultSchema = z.object({
  exitCode: z.number().nullable(),
  stdout: z.string(),
  stderr: z.string(),
  timedOut: z.boolean(),
  truncated: z.boolean(),
  durationMs: z.number(),
});

export const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
