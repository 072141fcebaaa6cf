import { describe, expect, it } from "vitest";
import {
  hubContainerDefinition,
  KEEP_ALIVE,
  sandboxContainerDefinition,
  toKeyValuePairs,
} from "../../components/ecs/container-definitions";

const logs = { logGroupName: "/ecs/sandboxes", region: "eu-west-1" };
const secretArn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:hub-token-AbCdEf";

describe("sandboxContainerDefinition", () => {
  const sandbox = sandboxContainerDefinition({ image: "python:3.12-slim", logs });

  it("runs an init process so ECS Exec's child processes are reaped", () => {
    expect(sandbox.linuxParameters).toEqual({ initProcessEnabled: true });
  });

  it("stays alive on its own, with a keep-alive any image with sh can run", () => {
    expect(sandbox.entryPoint).toEqual(["sh", "-c"]);
    expect(sandbox.command).toEqual([...KEEP_ALIVE.command]);
    expect(sandbox.command?.[0]).toContain("trap 'exit 0' TERM");
  });

  it("keeps the root filesystem writable for the exec agent and students' files", () => {
    expect(sandbox.readonlyRootFilesystem).toBe(false);
  });

  it("logs to the cluster's group without blocking the writer", () => {
    expect(sandbox.logConfiguration).toEqual({
      logDriver: "awslogs",
      options: {
        "awslogs-group": "/ecs/sandboxes",
        "awslogs-region": "eu-west-1",
        "awslogs-stream-prefix": "sandbox",
        mode: "non-blocking",
      },
    });
  });

  it("publishes no ports and holds no secrets", () => {
    expect(sandbox.portMappings).toBeUndefined();
    expect(sandbox.secrets).toBeUndefined();
  });
});

describe("hubContainerDefinition", () => {
  const hub = hubContainerDefinition({
    image: "hub:latest",
    environment: { PORT: "8080", HUB_ORCHESTRATOR: "ecs" },
    tokenSecretArn: secretArn,
    logs,
  });

  it("injects the API token from Secrets Manager", () => {
    expect(hub.secrets).toEqual([{ name: "HUB_API_TOKEN", valueFrom: secretArn }]);
    expect(hub.environment?.map((e) => e.name)).not.toContain("HUB_API_TOKEN");
  });

  it("refuses a token in the plain environment", () => {
    expect(() =>
      hubContainerDefinition({
        image: "hub",
        environment: { HUB_API_TOKEN: "x" },
        tokenSecretArn: secretArn,
        logs,
      }),
    ).toThrow(/HUB_API_TOKEN must come from Secrets Manager/);
  });

  it("serves on 8080 with a read-only root and a writable /tmp", () => {
    expect(hub.portMappings).toEqual([{ containerPort: 8080, protocol: "tcp" }]);
    expect(hub.readonlyRootFilesystem).toBe(true);
    expect(hub.mountPoints).toEqual([{ sourceVolume: "scratch", containerPath: "/tmp", readOnly: false }]);
  });

  it("writes its logs under its own stream prefix", () => {
    expect(hub.logConfiguration.options["awslogs-stream-prefix"]).toBe("hub");
  });
});

describe("toKeyValuePairs", () => {
  it("sorts by name so key order never changes the task definition", () => {
    expect(toKeyValuePairs({ B: "2", A: "1" })).toEqual([
      { name: "A", value: "1" },
      { name: "B", value: "2" },
    ]);
  });
});
