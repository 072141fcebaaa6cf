/**
 * Runs the real program of a stack under mocks: loads Pulumi.yaml and Pulumi.<stack>.yaml the
 * way the CLI does, then imports index.ts, exactly what `pulumi up -s <stack>` would run.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { installMocks, type Recorder } from "./mocks";
import { mockPartition } from "./remote-stubs";

export const REPO_ROOT = join(__dirname, "..", "..");
export const STACKS = ["dev", "eks-ec2", "eks-fargate", "ecs-fargate"] as const;
export type StackName = (typeof STACKS)[number];

export function projectName(): string {
  const project = parse(readFileSync(join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as { name: string };
  return project.name;
}

/** Pulumi.<stack>.yaml as the flat `ns:key -> string` map the runtime takes (objects as JSON). */
export function stackConfig(stack: string, overrides: Record<string, unknown> = {}): Record<string, string> {
  const file = parse(readFileSync(join(REPO_ROOT, `Pulumi.${stack}.yaml`), "utf8")) as {
    config?: Record<string, unknown>;
  };
  const merged = { ...(file.config ?? {}), ...overrides };
  return Object.fromEntries(
    Object.entries(merged).map(([key, value]) => [
      key,
      typeof value === "string" ? value : JSON.stringify(value),
    ]),
  );
}

export interface StackRun {
  readonly recorder: Recorder;
  readonly outputs: Record<string, unknown>;
}

/**
 * Sets mocks and config, imports the program and waits until every resource has registered.
 * One program per process: vitest runs each test file in its own fork.
 */
export async function runStack(
  stack: StackName,
  options: { overrides?: Record<string, unknown>; preview?: boolean; partition?: string } = {},
): Promise<StackRun> {
  const project = projectName();
  mockPartition.name = options.partition ?? "aws";
  const recorder = await installMocks(project, stack, options.preview ?? false);
  pulumi.runtime.setAllConfig(stackConfig(stack, options.overrides));
  const program = (await import(join(REPO_ROOT, "index.ts"))) as Record<string, unknown> & {
    default?: Record<string, unknown>;
  };
  const exported = program.default ?? program;
  const outputs = await resolveAll(exported);
  await settle(recorder);
  return { recorder, outputs };
}

async function resolveAll(exported: Record<string, unknown>): Promise<Record<string, unknown>> {
  const entries = await Promise.all(
    Object.entries(exported).map(async ([key, value]) => [key, await unwrap(value)] as const),
  );
  return Object.fromEntries(entries);
}

async function unwrap(value: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(value)) {
    // In preview, values AWS computes stay unknown and apply() never runs on them.
    const known = await (value as unknown as { isKnown: Promise<boolean> }).isKnown;
    if (!known) return "<computed>";
    return new Promise((resolve) => value.apply((v) => resolve(v)));
  }
  if (value instanceof Promise) return unwrap(await value);
  if (value && typeof value === "object" && !Array.isArray(value) && !pulumi.Resource.isInstance(value)) {
    return resolveAll(value as Record<string, unknown>);
  }
  return value;
}

/** Waits until the resource count stops growing across a few turns of the event loop. */
async function settle(recorder: Recorder): Promise<void> {
  let stableTurns = 0;
  let last = -1;
  const deadline = Date.now() + 30_000;
  while (stableTurns < 20 && Date.now() < deadline) {
    await new Promise((resolve) => setImmediate(resolve));
    const pending = recorder.resources.filter((r) => r.urn === undefined).length;
    if (recorder.resources.length === last && pending === 0) stableTurns += 1;
    else stableTurns = 0;
    last = recorder.resources.length;
  }
}
