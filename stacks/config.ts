/**
 * The one place stack configuration is read and validated (the keys, their defaults and allowed
 * values: stacks/config-schema.ts). A bad value stops the program with the key's full name
 * (`sandbox-platform:eks.workerMax`) and what is allowed.
 */
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { configProblems } from "./config-checks";
import { stackConfigSchema } from "./config-schema";

export const PROJECT = "sandbox-platform";

export { CANDIDATES, type Candidate } from "./candidates";
export { stackConfigSchema } from "./config-schema";

export type StackConfig = z.output<typeof stackConfigSchema>;
export type NetworkConfig = StackConfig["network"];
export type HubConfig = StackConfig["hub"];
export type EksConfig = StackConfig["eks"];
export type EcsConfig = StackConfig["ecs"];

/** Raw values as Pulumi holds them: objects and lists already parsed from YAML/JSON. */
export type RawStackConfig = Partial<Record<keyof StackConfig, unknown>>;

/**
 * Validates raw config: each key on its own, then, once all are valid, the checks across keys
 * (stacks/config-checks.ts), which rely on every key being valid. Throws one Error listing every bad key
 * with what is allowed.
 */
export function parseStackConfig(raw: RawStackConfig): StackConfig {
  // reportInput: a wrong type then says what it got, instead of reading as a missing key.
  const result = stackConfigSchema.safeParse(raw, { reportInput: true });
  const problems = result.success
    ? configProblems(result.data).map((issue) => ({ path: issue.path, text: issue.message }))
    : result.error.issues.map((issue) => ({ path: issue.path, text: describe(issue) }));
  if (result.success && problems.length === 0) return result.data;
  const lines = problems.map((problem) => `  ${PROJECT}:${keyPath(problem.path)}: ${problem.text}`);
  throw new Error(`invalid stack configuration:\n${lines.join("\n")}`);
}

/** Reads this stack's config from Pulumi (Pulumi.<stack>.yaml) and validates it. */
export function readStackConfig(): StackConfig {
  refuseUnknownKeys(Object.keys(pulumi.runtime.allConfig()));
  const config = new pulumi.Config(PROJECT);
  const raw: RawStackConfig = {};
  for (const key of Object.keys(stackConfigSchema.shape) as (keyof StackConfig)[]) {
    const value = config.getObject<unknown>(key);
    if (value !== undefined) raw[key] = value;
  }
  return parseStackConfig(raw);
}

/** A top-level typo (`sandbox-platform:ekss`) would otherwise be ignored and its values never used. */
export function refuseUnknownKeys(fullKeys: readonly string[]): void {
  const known = Object.keys(stackConfigSchema.shape);
  const unknown = fullKeys
    .filter((key) => key.startsWith(`${PROJECT}:`))
    .map((key) => key.slice(PROJECT.length + 1))
    .filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    throw new Error(
      `invalid stack configuration:\n  unknown key(s) ${unknown.map((k) => `${PROJECT}:${k}`).join(", ")}; allowed: ${known.join(", ")}`,
    );
  }
}

function keyPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`))
    .join("");
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_value")
    return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
  if (issue.code === "unrecognized_keys") return `unknown key(s) ${issue.keys.join(", ")}`;
  if (issue.code === "invalid_type") {
    return issue.input === undefined ? "is required" : `must be ${issue.expected}, got ${shown(issue.input)}`;
  }
  if (issue.code === "too_small" && typeof issue.input === "number")
    return `must be at least ${String(issue.minimum)}, got ${shown(issue.input)}`;
  if (issue.code === "too_big" && typeof issue.input === "number")
    return `must be at most ${String(issue.maximum)}, got ${shown(issue.input)}`;
  return issue.message;
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
