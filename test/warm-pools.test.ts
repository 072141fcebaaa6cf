import { describe, expect, it } from "vitest";
import { hubWarmPools, warmMembers, warmPoolsOf, warmPoolsSchema } from "../stacks/warm-pools";

describe("warmPoolsOf", () => {
  it("is none on EC2 workers and ten on each Fargate candidate by default", () => {
    const config = { candidates: ["eks-ec2", "eks-fargate", "ecs-fargate"] as const, hub: {} };
    expect(warmPoolsOf(config, "eks-ec2")).toEqual([]);
    expect(warmPoolsOf(config, "eks-fargate")).toEqual([{ size: 10 }]);
    expect(warmPoolsOf(config, "ecs-fargate")).toEqual([{ size: 10 }]);
  });

  it("takes a candidate's pools as configured, an empty list included, and leaves the others at default", () => {
    const config = {
      candidates: ["eks-fargate", "ecs-fargate"] as const,
      hub: { warmPools: { "eks-fargate": [] as [], "ecs-fargate": [{ cpu: 1, size: 3 }] } },
    };
    expect(warmPoolsOf(config, "eks-fargate")).toEqual([]);
    expect(warmPoolsOf(config, "ecs-fargate")).toEqual([{ cpu: 1, size: 3 }]);
    expect(warmPoolsOf(config, "eks-ec2")).toEqual([]);
  });
});

describe("hubWarmPools", () => {
  it("names the placement only off the Hub's default, renames memory, drops empty pools", () => {
    const pools = [
      { size: 2 },
      { image: "node:22", cpu: 0.5, memoryMiB: 1024, size: 1, maxAgeSeconds: 600 },
      { cpu: 1, size: 0 },
    ];
    expect(hubWarmPools(pools, "ec2", "ec2")).toEqual([
      { size: 2 },
      { image: "node:22", cpu: 0.5, memory: 1024, size: 1, maxAgeSeconds: 600 },
    ]);
    expect(hubWarmPools(pools, "fargate", "ec2").map((p) => p.placement)).toEqual(["fargate", "fargate"]);
  });
});

describe("warmMembers", () => {
  it("adds up the pools' sizes", () => {
    expect(warmMembers([{ size: 2 }, { size: 0 }, { size: 5 }])).toBe(7);
    expect(warmMembers([])).toBe(0);
  });
});

describe("warmPoolsSchema", () => {
  it("refuses an unknown candidate and an unknown field, with the field's name", () => {
    expect(warmPoolsSchema.safeParse({ "eks-ec3": [] }).success).toBe(false);
    const bad = warmPoolsSchema.safeParse({ "ecs-fargate": [{ size: 1, memory: 512 }] });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toContain("memory");
  });

  it("refuses sizes the Hub would refuse", () => {
    expect(warmPoolsSchema.safeParse({ "ecs-fargate": [{ size: 1001 }] }).success).toBe(false);
    expect(warmPoolsSchema.safeParse({ "ecs-fargate": [{ size: -1 }] }).success).toBe(false);
    expect(warmPoolsSchema.safeParse({ "ecs-fargate": [{ size: 1, maxAgeSeconds: 59 }] }).success).toBe(
      false,
    );
  });
});
