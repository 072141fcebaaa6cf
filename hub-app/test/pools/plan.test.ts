import { describe, expect, it } from "vitest";
import type { PoolMember } from "../../src/orchestrator/types.js";
import { planPool } from "../../src/services/pools/plan.js";

const NOW = Date.parse("2030-01-01T12:00:00Z");
const MAX_AGE_MS = 3_600_000;

function member(id: string, status: PoolMember["status"], ageMinutes: number): PoolMember {
  return {
    id,
    pool: "wp-1",
    status,
    createdAt: new Date(NOW - ageMinutes * 60_000).toISOString(),
    version: "1",
  };
}

const plan = (members: PoolMember[], size: number) =>
  planPool({ members, size, maxAgeMs: MAX_AGE_MS, nowMs: NOW });
const ids = (members: readonly PoolMember[]) => members.map((m) => m.id);

describe("planPool", () => {
  it("starts a whole pool from nothing, and nothing when full", () => {
    expect(plan([], 3)).toEqual({ remove: [], create: 3, ready: [], starting: 0 });
    const full = [
      member("cnt-a", "running", 5),
      member("cnt-b", "pending", 1),
      member("cnt-c", "running", 2),
    ];
    expect(plan(full, 3)).toMatchObject({ remove: [], create: 0, starting: 1 });
    expect(ids(plan(full, 3).ready)).toEqual(["cnt-a", "cnt-c"]);
  });

  it("replaces failed members and never offers them", () => {
    const members = [member("cnt-a", "failed", 1), member("cnt-b", "running", 1)];
    const result = plan(members, 2);
    expect(ids(result.remove)).toEqual(["cnt-a"]);
    expect(result.create).toBe(1);
    expect(ids(result.ready)).toEqual(["cnt-b"]);
  });

  it("leaves members being deleted alone", () => {
    const result = plan([member("cnt-a", "terminating", 1)], 1);
    expect(result).toEqual({ remove: [], create: 1, ready: [], starting: 0 });
  });

  it("shrinks starting members first, then the newest ready ones, the same way on every replica", () => {
    const members = [
      member("cnt-old", "running", 30),
      member("cnt-new", "running", 2),
      member("cnt-mid", "running", 10),
      member("cnt-boot", "pending", 1),
    ];
    const result = plan(members, 2);
    expect(ids(result.remove)).toEqual(["cnt-boot", "cnt-new"]);
    expect(result.create).toBe(0);
    expect(ids(result.ready)).toEqual(["cnt-old", "cnt-mid"]);
    expect(ids(plan([...members].reverse(), 2).remove)).toEqual(["cnt-boot", "cnt-new"]);
    expect(plan(members, 0)).toMatchObject({ create: 0, ready: [], starting: 0 });
    expect(plan(members, 0).remove).toHaveLength(4);
  });

  it("recycles members past the maximum age only once fresh ones can stand in", () => {
    const old = [member("cnt-o1", "running", 90), member("cnt-o2", "running", 70)];
    const first = plan(old, 2);
    expect(first).toMatchObject({ remove: [], create: 2 });
    expect(ids(first.ready)).toEqual(["cnt-o1", "cnt-o2"]);

    const oneFresh = plan([...old, member("cnt-f1", "running", 0), member("cnt-f2", "pending", 0)], 2);
    expect(ids(oneFresh.remove)).toEqual(["cnt-o1"]);
    expect(ids(oneFresh.ready)).toEqual(["cnt-o2", "cnt-f1"]);
    expect(oneFresh.create).toBe(0);

    const bothFresh = plan([...old, member("cnt-f1", "running", 0), member("cnt-f2", "running", 0)], 2);
    expect(ids(bothFresh.remove).sort()).toEqual(["cnt-o1", "cnt-o2"]);
    expect(ids(bothFresh.ready)).toEqual(["cnt-f1", "cnt-f2"]);
  });

  it("drops old members that are still starting: they would be recycled as soon as ready", () => {
    const result = plan([member("cnt-o", "pending", 61)], 1);
    expect(ids(result.remove)).toEqual(["cnt-o"]);
    expect(result.create).toBe(1);
  });
});
