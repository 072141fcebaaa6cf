import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
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

const META_FILE = "meta.json";

export function sandboxDir(root: string, id: string): string {
  return join(root, id);
}

export async function writeMeta(root: string, meta: SandboxMeta): Promise<void> {
  const dir = sandboxDir(root, meta.id);
  const temporary = join(dir, `${META_FILE}.tmp`);
  // Write then rename: a reader never sees half a file.
  await writeFile(temporary, JSON.stringify(meta), { mode: 0o600 });
  await rename(temporary, join(dir, META_FILE));
}

/** undefined when there is no such sandbox (or its metadata is unreadable: it is not ours to touch). */
export async function readMeta(root: string, id: string): Promise<SandboxMeta | undefined> {
  let text: string;
  try {
    text = await readFile(join(sandboxDir(root, id), META_FILE), "utf8");
  } catch {
    return undefined;
  }
  try {
    const parsed = sandboxMetaSchema.safeParse(JSON.parse(text));
    return parsed.success && parsed.data.id === id ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export async function listSandboxIds(root: string): Promise<string[]> {
  await mkdir(root, { recursive: true, mode: 0o711 });
  const entries = await readdir(root, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory() && CONTAINER_ID_PATTERN.test(entry.name))
    .map((entry) => entry.name);
}
