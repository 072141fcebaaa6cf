import { renameSync, rmSync, writeFileSync } from "node:fs";
import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { CONTAINER_ID_PATTERN } from "../../ids.js";
import type { ContainerTimings } from "../types.js";

/**
 * What a local sandbox leaves on disk in HUB_LOCAL_ROOT/<id>/meta.json, so that a restarted
 * Hub (or another Hub process on this machine) lists and deletes it.
 */
export const sandboxMetaSchema = z.object({
  id: z.string().regex(CONTAINER_ID_PATTERN),
  instance: z.string(),
  image: z.string(),
  cpu: z.number(),
  memoryMiB: z.number(),
  env: z.record(z.string(), z.string()),
  ports: z.array(z.number()),
  createdAt: z.string(),
  expiresAt: z.string(),
  hostUid: z.number().optional(),
  /** The Hub process creating it (pid and start time): a pending sandbox whose creator is gone was abandoned. */
  creator: z.object({ pid: z.number(), startTime: z.string() }).optional(),
  /** Host pid of the sandbox's init (pid 1 of its pid namespace) and its start time, against pid reuse. */
  initPid: z.number().optional(),
  initStartTime: z.string().optional(),
  readyAt: z.string().optional(),
  timings: z.record(z.string(), z.number()),
  failure: z.string().optional(),
  /** A warm-pool member's pool (it then lives in HUB_LOCAL_ROOT/.warm); absent on containers. */
  pool: z.string().optional(),
});

export type SandboxMeta = z.infer<typeof sandboxMetaSchema> & { timings: ContainerTimings };

export const META_FILE = "meta.json";
export const META_TEMPORARY = `${META_FILE}.tmp`;

export function sandboxDir(root: string, id: string): string {
  return join(root, id);
}

/**
 * Writes `<dir>/meta.json` whole or not at all: a reader, or a Hub killed mid-write, never sees half a file.
 * Synchronous, as a create's other small calls on HUB_LOCAL_ROOT are (sandbox-root.ts says why).
 */
export function writeMetaIn(dir: string, meta: SandboxMeta): void {
  const temporary = join(dir, META_TEMPORARY);
  try {
    writeFileSync(temporary, JSON.stringify(meta), { mode: 0o600 });
    renameSync(temporary, join(dir, META_FILE));
  } catch (error) {
    // A full disk leaves a partial temporary file: never leave it behind, and report the write's error.
    try {
      rmSync(temporary, { force: true });
    } catch {
      // The write's error says what went wrong.
    }
    throw error;
  }
}

export function writeMeta(root: string, meta: SandboxMeta): void {
  return writeMetaIn(sandboxDir(root, meta.id), meta);
}

/** The meta.json in `dir` (of sandbox `id` when given); undefined when absent or unreadable (then it is not ours to touch). */
export async function readMetaIn(dir: string, id?: string): Promise<SandboxMeta | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, META_FILE), "utf8");
  } catch {
    return undefined;
  }
  try {
    const parsed = sandboxMetaSchema.safeParse(JSON.parse(text));
    return parsed.success && (id === undefined || parsed.data.id === id) ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function readMeta(root: string, id: string): Promise<SandboxMeta | undefined> {
  return readMetaIn(sandboxDir(root, id), id);
}

export function isSandboxId(name: string): boolean {
  return CONTAINER_ID_PATTERN.test(name);
}

export async function listSandboxIds(root: string): Promise<string[]> {
  await mkdir(root, { recursive: true, mode: 0o711 });
  const entries = await readdir(root, { withFileTypes: true });
  return entries.filter((entry) => entry.isDirectory() && isSandboxId(entry.name)).map((entry) => entry.name);
}
