import { describe, expect, it } from "vitest";
import { parseHubEnv } from "../../src/config.js";
import { poolKey } from "../../src/services/pools/pool-spec.js";

const base = { HUB_API_TOKEN: "a-token-of-sixteen-chars" };
const parse = (env: Record<string, string>) => parseHubEnv({ ...base, ...env });

describe("warm pool configuration", () => {
  it("has no pools by default", () => {
    expect(parse({}).warmPools).toEqual({ pools: [], intervalMs: 2000 });
  });

  it("makes HUB_WARM_POOL_SIZE a pool of the Hub's defaults", () => {
    const config = parse({ HUB_WARM_POOL_SIZE: "10", HUB_DEFAULT_CPU: "0.5", HUB_DEFAULT_MEMORY_MIB: "256" });
    expect(config.warmPools.pools).toEqual([
      { image: "host", cpu: 0.5, memoryMiB: 256, size: 10, maxAgeSeconds: 3600 },
    ]);
  });

  it("reads HUB_WARM_POOLS, filling what an entry leaves out", () => {
    const config = parse({
      HUB_ORCHESTRATOR: "kubernetes",
      HUB_K8S_PLACEMENTS: "ec2,fargate",
      HUB_WARM_POOL_SIZE: "2",
      HUB_WARM_POOL_MAX_AGE_SECONDS: "600",
      HUB_WARM_POOL_INTERVAL_MS: "500",
      HUB_WARM_POOLS: JSON.stringify([
        { placement: "fargate", size: 5, maxAgeSeconds: 1800 },
        { image: "node:22-slim", cpu: 1, memory: 1024, size: 3 },
      ]),
    });
    const image = "public.ecr.aws/docker/library/python:3.12-slim";
    expect(config.warmPools).toEqual({
      intervalMs: 500,
      pools: [
        { image, cpu: 0.25, memoryMiB: 512, size: 2, maxAgeSeconds: 600 },
        { image, cpu: 0.25, memoryMiB: 512, placement: "fargate", size: 5, maxAgeSeconds: 1800 },
        { image: "node:22-slim", cpu: 1, memoryMiB: 1024, size: 3, maxAgeSeconds: 600 },
      ],
    });
  });

  it.each([
    ["not JSON", "[{size:1}", /HUB_WARM_POOLS must be a JSON list .*not JSON/],
    ["a field of the wrong type", '[{"size":1},{"size":"ten"}]', /HUB_WARM_POOLS\[1\]\.size: /],
    ["an unknown field", '[{"size":1,"colour":"red"}]', /HUB_WARM_POOLS\[0\]: .*colour/],
    ["a size out of range", '[{"size":5000}]', /HUB_WARM_POOLS\[0\]\.size/],
    [
      "cpu beyond HUB_CPU_MAX",
      '[{"cpu":8,"size":1}]',
      /warm pool 1 .*cpu must be from HUB_CPU_MIN 0.1 to HUB_CPU_MAX 4/,
    ],
    ["memory below the minimum", '[{"memory":64,"size":1}]', /memory must be from HUB_MEMORY_MIN_MIB 128/],
    [
      "a placement the orchestrator lacks",
      '[{"placement":"fargate","size":1}]',
      /placement must be one of local/,
    ],
    ["one shape twice", '[{"size":1},{"size":2}]', /warm pool 2 .*the same shape as warm pool 1/],
    [
      "more than 1000 members",
      '[{"size":600},{"cpu":1,"size":600}]',
      /hold 1200 members together; at most 1000/,
    ],
  ])("refuses %s, naming it", (_what, value, message) => {
    expect(() => parse({ HUB_WARM_POOLS: value })).toThrow(message);
  });

  it("refuses a bad HUB_WARM_POOL_SIZE", () => {
    expect(() => parse({ HUB_WARM_POOL_SIZE: "-1" })).toThrow(
      /HUB_WARM_POOL_SIZE must be an integer from 0 to 1000/,
    );
  });

  it("names a shape the same way on every replica and restart", () => {
    const shape = { image: "python:3.12-slim", cpu: 0.25, memoryMiB: 512, placement: "ec2" as const };
    expect(poolKey(shape)).toBe(poolKey({ ...shape }));
    expect(poolKey(shape)).toMatch(/^wp-[0-9a-f]{16}$/);
    expect(poolKey({ ...shape, cpu: 0.5 })).not.toBe(poolKey(shape));
  });
});
