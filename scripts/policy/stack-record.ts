/**
 * A stack's offline plan as the engine would see it, recorded in a process of its own (the mock harness
 * runs one program per process): each resource's URN, parent, dependencies and wire-form inputs.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import type { RecordedResource } from "../../test/harness/mocks";

export interface AnalyzedResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly parentUrn?: string;
  readonly dependencies: string[];
  readonly propertyDependencies: Record<string, string[]>;
  readonly wireInputs: Record<string, unknown>;
}

export interface StackRecord {
  readonly stack: string;
  readonly resources: AnalyzedResource[];
}

/** Resources the engine would analyze: every one registered and answered. */
export function analyzedResources(resources: readonly RecordedResource[]): AnalyzedResource[] {
  return resources.flatMap((r) =>
    r.urn === undefined
      ? []
      : [
          {
            type: r.type,
            name: r.name,
            urn: r.urn,
            ...(r.parentUrn ? { parentUrn: r.parentUrn } : {}),
            dependencies: r.dependencies ?? [],
            propertyDependencies: r.propertyDependencies ?? {},
            wireInputs: r.wireInputs ?? {},
          },
        ],
  );
}

const CHILD = join(__dirname, "record-child.ts");

/** Runs the stack's program under mocks in a child process and returns what it registered. */
export function recordStack(stack: string): Promise<StackRecord> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD, stack], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0)
        return reject(new Error(`stack "${stack}" did not run under the mock harness:\n${err.trim()}`));
      resolve({ stack, resources: JSON.parse(Buffer.concat(out).toString()) as AnalyzedResource[] });
    });
  });
}
