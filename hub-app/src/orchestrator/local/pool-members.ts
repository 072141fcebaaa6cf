/**
 * Warm-pool members of the local orchestrator: running sandboxes kept in HUB_LOCAL_ROOT/.warm/<id>,
 * where `list` and `get` (which read HUB_LOCAL_ROOT/<id>) do not see them.
 *
 * A claim is one rename(2) of the member's directory to HUB_LOCAL_ROOT/<id>. rename is atomic
 * (POSIX rename(), "If the link named by the new argument exists, it shall be removed and old
 * renamed to new ... atomic"): of any number of processes renaming the same directory, one
 * succeeds and the others get ENOENT, so two Hubs on this machine never hand out one member
 * twice. A delete (shrink, recycle) also starts with a rename, away to a `.deleting-` name, so a
 * claim and a delete of one member cannot both succeed. The sandbox keeps running through the
 * rename: its bind mounts hold the directories, not their paths.
 *
 * After the rename the claim rewrites meta.json with the claim's env, ports and lifetime. Every
 * command already starts from meta.json's env, so a claimed sandbox runs commands exactly like a
 * cold one. A Hub that dies between the two steps leaves a container with the member's lifetime
 * (started at the member's maximum age), which the reaper deletes then; nobody was told its id.
 */
import { rename } from "node:fs/promises";
import { join } from "node:path";
import type { PoolClaim, PoolMember } from "../types.js";
import { listSandboxIds, readMeta, sandboxDir, writeMeta, type SandboxMeta } from "./meta.js";
import { sandboxInfo } from "./sandbox-info.js";

const WARM_DIRECTORY = ".warm";

/** Where members wait: below HUB_LOCAL_ROOT, so sandboxes cannot see it either. */
export function warmRoot(root: string): string {
  return join(root, WARM_DIRECTORY);
}

/** The member as the pool sees it; undefined when the metadata is not a member of this Hub. */
export async function memberOf(meta: SandboxMeta, instance: string): Promise<PoolMember | undefined> {
  if (meta.instance !== instance || meta.pool === undefined) return undefined;
  const info = await sandboxInfo(meta, false);
  return {
    id: meta.id,
    pool: meta.pool,
    status: info.status,
    createdAt: meta.createdAt,
    version: meta.initStartTime ?? "",
    ...(info.message === undefined ? {} : { message: info.message }),
  };
}

export async function listMembers(root: string, instance: string): Promise<PoolMember[]> {
  const members = warmRoot(root);
  const ids = await listSandboxIds(members);
  const metas = await Promise.all(ids.map((id) => readMeta(members, id)));
  const found = await Promise.all(
    metas.map((meta) => (meta === undefined ? Promise.resolve(undefined) : memberOf(meta, instance))),
  );
  return found.filter((member): member is PoolMember => member !== undefined);
}

/**
 * Moves the member into place as a container and applies the claim; undefined when another
 * claim or a delete renamed it first.
 */
export async function claimMember(
  root: string,
  instance: string,
  member: PoolMember,
  claim: PoolClaim,
): Promise<SandboxMeta | undefined> {
  try {
    await rename(sandboxDir(warmRoot(root), member.id), sandboxDir(root, member.id));
  } catch {
    return undefined;
  }
  const meta = await readMeta(root, member.id);
  if (meta?.instance !== instance) return undefined;
  const { pool: _pool, ...container } = meta;
  const claimed: SandboxMeta = {
    ...container,
    env: { ...claim.env },
    ports: [...claim.ports],
    createdAt: claim.createdAt.toISOString(),
    expiresAt: claim.expiresAt.toISOString(),
    // Ready since before it was anyone's: handed out ready, at claim time.
    readyAt: new Date().toISOString(),
    timings: {},
  };
  writeMeta(root, claimed);
  return claimed;
}

/** Deletes the member with `remove` (the orchestrator's delete of a folder); false when it is not this Hub's member. */
export async function deleteMember(
  root: string,
  instance: string,
  member: PoolMember,
  remove: (directory: string, meta: SandboxMeta) => Promise<boolean>,
): Promise<boolean> {
  const members = warmRoot(root);
  const meta = await readMeta(members, member.id);
  if (meta?.instance !== instance || meta.pool === undefined) return false;
  return remove(sandboxDir(members, member.id), meta);
}
