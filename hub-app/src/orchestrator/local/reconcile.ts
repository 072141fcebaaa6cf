import { readdir, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import { isSandboxId, META_FILE, META_TEMPORARY, readMetaIn, writeMetaIn, type SandboxMeta } from "./meta.js";
import { warmRoot } from "./pool-members.js";
import { processStartTime } from "./process-info.js";
import { isBeingRemoved, removeInBackground } from "./remover.js";
import { killAll, sandboxProcesses } from "./sandbox-processes.js";
import { isTearingDown } from "./sandbox-delete.js";
import {
  DELETING_PREFIX,
  parseStagingName,
  STAGING_PREFIX,
  type Creator,
  type SandboxRoot,
} from "./sandbox-root.js";
import type { SandboxCgroups } from "./sandbox-cgroups.js";
import type { UidClaims } from "./uid-claims.js";

/**
 * What may belong to a create or a write in progress in another Hub process, and is left alone
 * until older than this: a folder not yet holding its meta.json, a meta.json.tmp, a uid claim.
 * Each of those steps takes milliseconds; a create gives up after 30 s.
 */
export const ABANDONED_AFTER_MS = 5 * 60_000;
export const ABANDONED_MESSAGE = "the Hub that was creating it stopped before it was ready";

export interface ReconcileContext {
  readonly root: SandboxRoot;
  readonly claims: UidClaims | undefined;
  readonly logger: Logger;
  readonly cgroups: SandboxCgroups | undefined;
}

type ProcessesOf = (id: string) => readonly number[];

/**
 * One pass over HUB_LOCAL_ROOT after which every folder and process there is accounted for (at
 * start and on each reaper pass): a create abandoned by a Hub that died mid-way is killed and
 * marked failed, or removed if it never became a sandbox; a half-done delete is finished; a
 * sandbox process whose folder is gone is killed; a uid claim nobody holds is freed; a cgroup
 * whose sandbox is gone is emptied and removed, and runs' cgroups nothing runs in any more.
 */
export async function reconcile(context: ReconcileContext): Promise<void> {
  const root = context.root.path;
  // Processes before folders: a sandbox's folder exists before its processes start, so a process
  // whose folder is missing from the listing below belongs to a sandbox that is gone.
  const processes = await sandboxProcesses(root);
  const processesOf: ProcessesOf = (id) => processes.get(id) ?? [];
  // Members first: a claim renames .warm/<id> to <id>, so read in this order it is seen at least once.
  const members = (await foldersIn(warmRoot(root))).filter(isSandboxId);
  const folders = await foldersIn(root);
  const held = new Set<number>();

  for (const name of folders) {
    const dir = join(root, name);
    // A delete of this process may still be waiting for the processes to end: it removes the folder then.
    if (name.startsWith(DELETING_PREFIX) && !isBeingRemoved(dir) && !isTearingDown(dir))
      await finishDelete(context, dir, name, processesOf);
    if (name.startsWith(STAGING_PREFIX)) await dropAbandonedStaging(context, dir, name);
  }
  const sandboxes = [
    ...members.map((name) => [warmRoot(root), name] as const),
    ...folders.filter(isSandboxId).map((name) => [root, name] as const),
  ];
  for (const [parent, name] of sandboxes) {
    const meta = await reconcileSandbox(context, join(parent, name), name, processesOf);
    if (meta?.hostUid !== undefined) held.add(meta.hostUid);
  }
  killStrays(new Set([...members, ...folders.map(idOfFolder)]), processes);
  await freeStaleClaims(context, held);
  await reconcileCgroups(context);
}

async function foldersIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
}

/** The sandbox id a folder of the root stands for: `<id>`, `.new-<id>`, `.deleting-<id>-<uuid>`. */
function idOfFolder(name: string): string {
  if (name.startsWith(STAGING_PREFIX)) return parseStagingName(name)?.id ?? name;
  if (name.startsWith(DELETING_PREFIX)) return /^\.deleting-(cnt-[a-z0-9]+)-/.exec(name)?.[1] ?? name;
  return name;
}

async function olderThan(path: string, ms: number): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  return info !== undefined && Date.now() - info.mtimeMs > ms;
}

async function creatorAlive(meta: SandboxMeta): Promise<boolean> {
  if (meta.creator === undefined) return Date.now() - Date.parse(meta.createdAt) < ABANDONED_AFTER_MS;
  return isAlive(meta.creator);
}

async function isAlive(creator: Creator): Promise<boolean> {
  return (await processStartTime(creator.pid)) === creator.startTime;
}

/** Kills what a sandbox still runs: its init when recorded, and every bwrap process naming its folder. */
async function killProcesses(
  context: ReconcileContext,
  meta: SandboxMeta | undefined,
  id: string,
  processesOf: ProcessesOf,
): Promise<void> {
  if (meta?.initPid !== undefined && (await processStartTime(meta.initPid)) === meta.initStartTime)
    killAll([meta.initPid]);
  killAll(processesOf(id));
  await context.cgroups?.remove(id);
}

async function reconcileSandbox(
  context: ReconcileContext,
  dir: string,
  id: string,
  processesOf: ProcessesOf,
): Promise<SandboxMeta | undefined> {
  if (await olderThan(join(dir, META_TEMPORARY), ABANDONED_AFTER_MS))
    await unlink(join(dir, META_TEMPORARY)).catch(() => undefined);
  const meta = await readMetaIn(dir, id);
  if (meta === undefined) {
    // An unreadable meta.json may be a newer Hub's: not ours to touch. No meta.json at all is a create from before staging.
    const hasMeta = (await stat(join(dir, META_FILE)).catch(() => undefined)) !== undefined;
    if (!hasMeta && (await olderThan(dir, ABANDONED_AFTER_MS))) {
      context.logger.warn({ id }, "removing a sandbox folder without meta.json");
      await retire(context, dir, id, undefined, processesOf);
    }
    return undefined;
  }
  if (meta.hostUid !== undefined) await context.claims?.adopt(meta.hostUid);
  const pending = meta.initPid === undefined && meta.failure === undefined;
  if (pending && !(await creatorAlive(meta))) {
    context.logger.warn({ id }, "a sandbox's create was abandoned by a Hub that stopped: marking it failed");
    await killProcesses(context, meta, id, processesOf);
    writeMetaIn(dir, { ...meta, failure: ABANDONED_MESSAGE });
  } else if (meta.failure !== undefined) {
    // A launch that timed out killed bwrap, not necessarily the sandbox it had started.
    await killProcesses(context, meta, id, processesOf);
  }
  return meta;
}

async function dropAbandonedStaging(context: ReconcileContext, dir: string, name: string): Promise<void> {
  const staging = parseStagingName(name);
  // A name of another form (an older Hub's) may still be in use until it is old.
  if (staging === undefined ? !(await olderThan(dir, ABANDONED_AFTER_MS)) : await isAlive(staging.creator))
    return;
  const id = staging?.id ?? name.slice(STAGING_PREFIX.length);
  context.logger.info({ id }, "removing a sandbox folder whose create stopped before it was complete");
  await retire(context, dir, id, await readMetaIn(dir, id), () => []);
}

async function finishDelete(
  context: ReconcileContext,
  dir: string,
  name: string,
  processesOf: ProcessesOf,
): Promise<void> {
  const meta = await readMetaIn(dir);
  const id = meta?.id ?? idOfFolder(name);
  await killProcesses(context, meta, id, processesOf);
  void removeInBackground(dir, context.logger, () => release(context, meta));
}

async function retire(
  context: ReconcileContext,
  dir: string,
  id: string,
  meta: SandboxMeta | undefined,
  processesOf: ProcessesOf,
): Promise<void> {
  await killProcesses(context, meta, id, processesOf);
  const doomed = await context.root.retire(dir, id);
  if (doomed !== undefined) void removeInBackground(doomed, context.logger, () => release(context, meta));
}

async function release(context: ReconcileContext, meta: SandboxMeta | undefined): Promise<void> {
  if (meta?.hostUid !== undefined) await context.claims?.release(meta.hostUid);
}

/** bwrap processes of a sandbox whose folder is gone (removed by hand, or mid-delete by a Hub that died). */
function killStrays(known: ReadonlySet<string>, processes: ReadonlyMap<string, number[]>): void {
  for (const [id, pids] of processes) if (!known.has(id)) killAll(pids);
}

async function freeStaleClaims(context: ReconcileContext, held: ReadonlySet<number>): Promise<void> {
  if (context.claims === undefined) return;
  for (const uid of await context.claims.stale(held, ABANDONED_AFTER_MS)) await context.claims.release(uid);
}

/**
 * A sandbox cgroup with no folder of its sandbox under the root (removed by hand, or by a Hub that
 * died mid-delete) is emptied and removed. The folders are listed after the cgroups: a create makes
 * its folder before its cgroup, so a cgroup listed first whose folder is then missing is not a create in progress.
 */
async function reconcileCgroups(context: ReconcileContext): Promise<void> {
  const cgroups = context.cgroups;
  if (cgroups === undefined) return;
  const ids = cgroups.ids();
  const root = context.root.path;
  const known = new Set([...(await foldersIn(warmRoot(root))), ...(await foldersIn(root)).map(idOfFolder)]);
  for (const id of ids) {
    if (known.has(id)) await cgroups.tidy(id);
    else {
      context.logger.warn({ id }, "removing the cgroup of a sandbox that is gone");
      await cgroups
        .remove(id)
        .catch((error: unknown) =>
          context.logger.warn({ err: error, id }, "could not remove a gone sandbox's cgroup"),
        );
    }
  }
}
