import { mkdtemp, readdir, readFile, readlink, rm } from "node:fs/promises";
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

export function localOrchestrator(
  root: string,
  instance = "hub",
  scratch: { scratchMiB?: number; scratchCheckMs?: number } = {},
): LocalOrchestrator {
  // The Hub's code directory as server.ts gives it: the orchestrator finds and hides the project around it.
  return createLocalOrchestrator(
    { root, maxProcesses: 128, scratchMiB: scratch.scratchMiB ?? 1280, network: "none", cgroups: "auto" },
    { ...silentContext, instance, codeDirectory: HUB_CODE },
    scratch.scratchCheckMs === undefined ? {} : { scratchCheckMs: scratch.scratchCheckMs },
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

const SIGKILL_BIT = 1n << 8n; // signal 9 in /proc/<pid>/status's pending masks
const PF_EXITING = 0x4; // in /proc/<pid>/stat's flags (field 9): do_exit has begun (include/linux/sched.h)

/**
 * Whether `pid` is on its way out: gone, a zombie, exiting, or with a SIGKILL pending (proc(5)).
 * Read a few times: between taking the SIGKILL off its pending set and flagging itself exiting, a
 * dying task shows neither for an instant.
 */
export async function isEnding(pid: number): Promise<boolean> {
  for (let read = 0; read < 3; read += 1) {
    const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => undefined);
    const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
    if (status === undefined || stat === undefined) return true;
    const field = (name: string): string => new RegExp(`^${name}:\\s*(\\S+)`, "m").exec(status)?.[1] ?? "0";
    const pending = BigInt(`0x${field("SigPnd")}`) | BigInt(`0x${field("ShdPnd")}`);
    // Fields after the command's ")" (which may itself hold spaces): state, ppid, pgrp, session, tty, tpgid, flags.
    const flags = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[6]);
    if (/^[ZX]/.test(field("State")) || (flags & PF_EXITING) !== 0 || (pending & SIGKILL_BIT) !== 0n)
      return true;
  }
  return false;
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
