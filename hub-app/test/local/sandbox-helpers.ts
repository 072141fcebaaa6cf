import { mkdtemp, readdir, readlink, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pino from "pino";
import { createLocalOrchestrator, type LocalOrchestrator } from "../../src/orchestrator/local/index.js";
import type { ContainerSpec } from "../../src/orchestrator/types.js";

const HUB_CODE = resolve(import.meta.dirname, "../../src");

export const silentContext = { instance: "hub", logger: pino({ level: "silent" }) };

/** A fresh HUB_LOCAL_ROOT for one test file; remove it with `cleanUp`. */
export async function temporaryRoot(): Promise<string> {
  return mkdtemp(join(tmpdir(), "hub-local-test-"));
}

export function localOrchestrator(root: string, instance = "hub"): LocalOrchestrator {
  // The Hub's code directory as server.ts gives it: the orchestrator finds and hides the project around it.
  return createLocalOrchestrator(
    { root, maxProcesses: 128, network: "none", cgroups: "auto" },
    { ...silentContext, instance, codeDirectory: HUB_CODE },
  );
}

let counter = 0;
export function spec(overrides: Partial<ContainerSpec> = {}): ContainerSpec {
  const createdAt = new Date();
  counter += 1;
  return {
    // Padded: a low pid (after the pid counter wraps) would otherwise give fewer than the 5 characters an id needs.
    id: `cnt-t${process.pid.toString(36).padStart(4, "0")}${String(counter).padStart(2, "0")}`.slice(0, 16),
    image: "host",
    cpu: 1,
    memoryMiB: 512,
    placement: "local",
    env: {},
    ports: [],
    createdAt,
    expiresAt: new Date(createdAt.getTime() + 3_600_000),
    ...overrides,
  };
}

/** Host pids of every process in the pid namespace whose init is `initPid`. */
export async function pidsInNamespaceOf(initPid: number): Promise<number[]> {
  const namespace = await readlink(`/proc/${initPid}/ns/pid`).catch(() => undefined);
  if (namespace === undefined) return [];
  const pids = (await readdir("/proc")).filter((name) => /^\d+$/.test(name)).map(Number);
  const members = await Promise.all(
    pids.map(async (pid) =>
      (await readlink(`/proc/${pid}/ns/pid`).catch(() => undefined)) === namespace ? pid : undefined,
    ),
  );
  return members.filter((pid): pid is number => pid !== undefined);
}

export async function deleteAllAndRemove(orchestrator: LocalOrchestrator, root: string): Promise<void> {
  for (const container of await orchestrator.list()) await orchestrator.delete(container.id);
  for (const member of await orchestrator.listPoolMembers()) await orchestrator.deletePoolMember(member);
  await orchestrator.close();
  await rm(root, { recursive: true, force: true });
}

export const run = (
  orchestrator: LocalOrchestrator,
  id: string,
  command: string[],
  timeoutMs = 10_000,
  maxOutputBytes = 65_536,
) => orchestrator.run(id, { command, timeoutMs, maxOutputBytes });
