import { randomInt } from "node:crypto";

/**
 * Host uids for sandboxes when the Hub runs as root: one per sandbox, so RLIMIT_NPROC (counted
 * per uid) is per sandbox and a sandbox owns nothing on the host but its own directories. The
 * range stays below 2^31 (some tools treat uids as signed) and above the usual /etc/subuid
 * allocations (100000 + 65536 * n for the first few thousand users).
 */
const FIRST_SANDBOX_UID = 1_500_000_000;
const SANDBOX_UID_COUNT = 100_000_000;

export function pickHostUid(taken: ReadonlySet<number>): number {
  for (;;) {
    const uid = FIRST_SANDBOX_UID + randomInt(SANDBOX_UID_COUNT);
    if (!taken.has(uid)) return uid;
  }
}

/** Root can give each sandbox its own uid; anyone else's sandboxes run as themselves. */
export function hubIsRoot(): boolean {
  return process.getuid?.() === 0;
}
