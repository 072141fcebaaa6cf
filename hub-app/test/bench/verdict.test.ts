import { describe, expect, it } from "vitest";
import { verdict, type VerdictInput } from "../../src/bench/verdict.js";

const base: VerdictInput = {
  requested: 50,
  ok: 50,
  failed: 0,
  interrupted: false,
  creationP99Ms: 2_340,
  commandP50Ms: 180,
  failuresByCode: {},
};

describe("verdict", () => {
  it("passes a run within the 5 s pod-startup SLO and quotes the study", () => {
    expect(verdict(base)).toEqual({
      ok: true,
      text: "PASS: p99 creation 2.34 s meets the 5 s pod-startup SLO (study: EKS+EC2 under 10 s, ECS+Fargate 20-50 s, EKS+Fargate 80-160 s); command p50 0.180 s (study ~0.200 s)",
    });
  });

  it.each([
    [
      7_010,
      "SLOW: p99 creation 7.01 s misses the 5 s pod-startup SLO, within the study's EKS+EC2 under 10 s",
    ],
    [
      45_300,
      "SLOW: p99 creation 45.3 s misses the 5 s pod-startup SLO, in the range of the study's ECS+Fargate 20-50 s",
    ],
    [
      160_000,
      "SLOW: p99 creation 160 s misses the 5 s pod-startup SLO, in the range of the study's EKS+Fargate 80-160 s",
    ],
  ])("places a p99 of %d ms against the study's stacks", (creationP99Ms, text) => {
    const result = verdict({ ...base, creationP99Ms, commandP50Ms: null });
    expect(result).toEqual({ ok: false, text });
  });

  it("fails a run with failures and names the commonest codes", () => {
    const result = verdict({
      ...base,
      ok: 47,
      failed: 3,
      failuresByCode: { "create:throttled": 2, "command:exit_1": 1 },
    });
    expect(result.ok).toBe(false);
    expect(result.text).toMatch(
      /^FAIL: 3 of 50 containers failed \(2 create:throttled, 1 command:exit_1\); p99 creation 2\.34 s/,
    );
  });

  it("marks an interrupted run as partial", () => {
    expect(verdict({ ...base, interrupted: true }).text).toMatch(/^INTERRUPTED \(partial run\): PASS/);
  });

  it("fails when nothing became ready", () => {
    expect(
      verdict({
        ...base,
        ok: 0,
        failed: 50,
        creationP99Ms: null,
        failuresByCode: { "create:no_capacity": 50 },
      }).text,
    ).toBe("FAIL: no container became ready (50 create:no_capacity)");
  });
});
