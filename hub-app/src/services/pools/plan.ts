/**
 * What one reconcile pass does to one pool, as a pure function of the members listed: which to
 * delete (failed, past the maximum age once a fresh one can stand in, beyond the size), how many
 * to start, and which can be claimed now.
 *
 * Every Hub replica runs the same pass over the same listing, so extras are chosen in an order
 * that does not depend on who looks (newest first, then by id): two replicas trimming at once
 * pick the same members, and a member claimed meanwhile is protected by the delete's own
 * precondition (Orchestrator.deletePoolMember).
 */
import type { PoolMember } from "../../orchestrator/types.js";

export interface PoolPlanInput {
  readonly members: readonly PoolMember[];
  readonly size: number;
  readonly maxAgeMs: number;
  readonly nowMs: number;
}

export interface PoolPlan {
  readonly remove: readonly PoolMember[];
  readonly create: number;
  /** Members a claim may take now, oldest first. */
  readonly ready: readonly PoolMember[];
  /** Members kept that are still starting. */
  readonly starting: number;
}

const ageMs = (member: PoolMember, nowMs: number): number => nowMs - Date.parse(member.createdAt);
const oldestFirst = (a: PoolMember, b: PoolMember): number =>
  Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id.localeCompare(b.id);

export function planPool(input: PoolPlanInput): PoolPlan {
  const { members, size, maxAgeMs, nowMs } = input;
  const failed = members.filter((member) => member.status === "failed");
  const live = members.filter((member) => member.status === "pending" || member.status === "running");
  const old = live.filter((member) => ageMs(member, nowMs) >= maxAgeMs);
  const fresh = live.filter((member) => ageMs(member, nowMs) < maxAgeMs).sort(oldestFirst);

  // Beyond the size: starting ones go first (they serve nobody yet), then the newest ready ones.
  const surplus = Math.max(0, fresh.length - size);
  const byTrimOrder = [...fresh].sort(
    (a, b) => Number(a.status === "running") - Number(b.status === "running") || -oldestFirst(a, b),
  );
  const extras = byTrimOrder.slice(0, surplus);
  const kept = fresh.filter((member) => !extras.includes(member));
  const keptReady = kept.filter((member) => member.status === "running");

  // Old members stay claimable until fresh ones can take their place, so recycling never empties the pool.
  const oldReady = old.filter((member) => member.status === "running").sort(oldestFirst);
  const oldStillNeeded = Math.max(0, Math.min(oldReady.length, size - keptReady.length));
  const oldKept = oldReady.slice(oldReady.length - oldStillNeeded);
  const oldRemoved = old.filter((member) => !oldKept.includes(member));

  return {
    remove: [...failed, ...oldRemoved, ...extras],
    create: Math.max(0, size - kept.length),
    ready: [...oldKept, ...keptReady].sort(oldestFirst),
    starting: kept.length - keptReady.length,
  };
}
