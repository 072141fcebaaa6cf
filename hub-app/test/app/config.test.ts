import { describe, expect, it } from "vitest";
import { hubEnvSchema, parseHubEnv } from "../../src/config.js";

describe("parseHubEnv", () => {
  it("applies the documented defaults for a local Hub", () => {
    const config = parseHubEnv({});
    expect(config.orchestrator.kind).toBe("local");
    expect(config.orchestrator.settings).toMatchObject({
      maxProcesses: 256,
      scratchMiB: 1280,
      network: "none",
    });
    expect(config).toMatchObject({
      port: 8080,
      host: "127.0.0.1",
      instance: "hub",
      logLevel: "info",
      defaultImage: "host",
    });
    expect(config.limits).toEqual({
      cpuMin: 0.1,
      cpuMax: 4,
      cpuDefault: 0.25,
      memoryMinMiB: 128,
      memoryMaxMiB: 8192,
      memoryDefaultMiB: 512,
      ttlDefaultSeconds: 3600,
      ttlMinSeconds: 60,
      ttlMaxSeconds: 86_400,
      runTimeoutDefaultMs: 30_000,
      runTimeoutMaxMs: 600_000,
      outputLimitBytes: 1_048_576,
      bodyLimitBytes: 10_485_760,
      filesMaxCount: 100,
      filesMaxBytes: 10_485_760,
      createTimeoutMs: 300_000,
    });
    expect(config.reaperIntervalMs).toBe(30_000);
    expect(config.apiToken).toBeUndefined();
  });

  it("reads every variable it is given", () => {
    const config = parseHubEnv({
      PORT: "9000",
      HOST: "0.0.0.0",
      HUB_INSTANCE: "course-a",
      HUB_API_TOKEN: "a-token-of-sixteen-chars",
      HUB_CPU_MAX: "2",
      HUB_LOCAL_ROOT: "/var/lib/hub",
      HUB_LOCAL_NETWORK: "host",
      HUB_LOCAL_MAX_PROCESSES: "64",
      HUB_LOCAL_SCRATCH_MIB: "4096",
    });
    expect(config).toMatchObject({
      port: 9000,
      host: "0.0.0.0",
      instance: "course-a",
      apiToken: "a-token-of-sixteen-chars",
    });
    expect(config.limits.cpuMax).toBe(2);
    expect(config.orchestrator.settings).toEqual({
      root: "/var/lib/hub",
      maxProcesses: 64,
      scratchMiB: 4096,
      network: "host",
      cgroups: "auto",
    });
  });

  it.each([
    [{ PORT: "99999" }, /PORT must be an integer from 0 to 65535 \(got "99999"\)/],
    [{ HUB_CPU_MIN: "abc" }, /HUB_CPU_MIN must be a number/],
    [{ HUB_ORCHESTRATOR: "nomad" }, /HUB_ORCHESTRATOR must be one of local, kubernetes, ecs \(got "nomad"\)/],
    [{ LOG_LEVEL: "loud" }, /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/],
    [{ HUB_INSTANCE: "Bad_Name" }, /HUB_INSTANCE must be 1-63 lowercase letters/],
    [{ HUB_API_TOKEN: "short" }, /HUB_API_TOKEN must be at least 16 characters/],
    [{ HUB_API_TOKEN_SECRET_ARN: "my-secret" }, /HUB_API_TOKEN_SECRET_ARN must be a Secrets Manager ARN/],
    [{ HUB_CPU_MIN: "3", HUB_CPU_MAX: "2" }, /HUB_CPU_MIN \(3\) must not exceed HUB_CPU_MAX \(2\)/],
    [{ HUB_DEFAULT_CPU: "8" }, /HUB_DEFAULT_CPU \(8\) must not exceed HUB_CPU_MAX \(4\)/],
    [
      { HUB_DEFAULT_MEMORY_MIB: "64" },
      /HUB_MEMORY_MIN_MIB \(128\) must not exceed HUB_DEFAULT_MEMORY_MIB \(64\)/,
    ],
    [
      { HUB_TTL_DEFAULT_SECONDS: "30" },
      /HUB_TTL_MIN_SECONDS \(60\) must not exceed HUB_TTL_DEFAULT_SECONDS \(30\)/,
    ],
    [
      { HUB_RUN_TIMEOUT_DEFAULT_MS: "700000" },
      /HUB_RUN_TIMEOUT_DEFAULT_MS \(700000\) must not exceed HUB_RUN_TIMEOUT_MAX_MS/,
    ],
    [{ HUB_LOCAL_NETWORK: "bridge" }, /HUB_LOCAL_NETWORK must be one of none, host/],
    [{ HUB_LOCAL_ROOT: "relative/dir" }, /HUB_LOCAL_ROOT must be an absolute path/],
    [{ HUB_LOCAL_MAX_PROCESSES: "2" }, /HUB_LOCAL_MAX_PROCESSES must be an integer from 16 to 65536/],
    [{ HUB_LOCAL_SCRATCH_MIB: "8" }, /HUB_LOCAL_SCRATCH_MIB must be an integer from 16 to 1048576/],
  ])("refuses %j with a message naming the variable and what it allows", (env, message) => {
    expect(() => parseHubEnv(env)).toThrow(message);
  });

  it("names every bad variable at once", () => {
    expect(() => parseHubEnv({ PORT: "x", HUB_CPU_MAX: "y" })).toThrow(/PORT must be.*; HUB_CPU_MAX must be/);
  });

  it("exports the common schema for the infrastructure tests", () => {
    expect(hubEnvSchema.safeParse({ PORT: "8080" }).success).toBe(true);
    expect(hubEnvSchema.safeParse({ PORT: "eighty" }).success).toBe(false);
  });
});

describe("parseHubEnv for cloud orchestrators", () => {
  const ecsEnv = {
    HUB_ORCHESTRATOR: "ecs",
    AWS_REGION: "eu-west-1",
    HUB_ECS_CLUSTER: "sandboxes",
    HUB_ECS_SUBNETS: "subnet-0abc,subnet-0def",
    HUB_ECS_SECURITY_GROUPS: "sg-0abc",
    HUB_ECS_TASK_FAMILY: "sandbox",
    HUB_ECS_EXECUTION_ROLE_ARN: "arn:aws:iam::123456789012:role/exec",
    HUB_ECS_TASK_ROLE_ARN: "arn:aws:iam::123456789012:role/task",
    HUB_ECS_LOG_GROUP: "/hub/sandboxes",
  };

  it("refuses to start without a token or secret outside local mode", () => {
    expect(() => parseHubEnv(ecsEnv)).toThrow(
      /HUB_API_TOKEN or HUB_API_TOKEN_SECRET_ARN is required when HUB_ORCHESTRATOR=ecs/,
    );
  });

  it("composes the ECS orchestrator's own schema", () => {
    const config = parseHubEnv({
      ...ecsEnv,
      HUB_API_TOKEN_SECRET_ARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:t",
    });
    expect(config.orchestrator.kind).toBe("ecs");
    expect(config.orchestrator.settings).toMatchObject({
      cluster: "sandboxes",
      subnets: ["subnet-0abc", "subnet-0def"],
    });
    expect(() =>
      parseHubEnv({ ...ecsEnv, HUB_API_TOKEN: "a-token-of-sixteen-chars", HUB_ECS_SUBNETS: "nope" }),
    ).toThrow(/invalid ecs orchestrator configuration: .*HUB_ECS_SUBNETS/);
  });
});
