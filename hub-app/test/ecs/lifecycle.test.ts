import {
  DescribeClustersCommand,
  DescribeTasksCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  TagResourceCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import { beforeEach, describe, expect, it } from "vitest";
import { HubError } from "../../src/errors.js";
import {
  CREATED_AT,
  INSTANCE,
  containerSpec,
  ecsSettings,
  mockedOrchestrator,
  sandboxTask,
  taskArnOf,
} from "./fixtures.js";

type Harness = ReturnType<typeof mockedOrchestrator>;

function withDefinition(harness: Harness): Harness {
  harness.ecsMock.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [] });
  harness.ecsMock.on(RegisterTaskDefinitionCommand).resolves({
    taskDefinition: {
      taskDefinitionArn: "arn:aws:ecs:eu-west-1:123456789012:task-definition/hub-sandbox:1",
    },
  });
  return harness;
}

/** DescribeTasks answering from a list of known tasks. */
function describeFrom(harness: Harness, tasks: () => Task[]): void {
  harness.ecsMock.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
    tasks: tasks().filter((t) => input.tasks.includes(t.taskArn!)),
    failures: [],
  }));
}

describe("create", () => {
  it("runs a Fargate task with exec enabled, the network settings, this Hub's tags and marker", async () => {
    const harness = withDefinition(
      mockedOrchestrator({}, ecsSettings({ HUB_ECS_CAPACITY_PROVIDER: "FARGATE_SPOT" })),
    );
    harness.ecsMock
      .on(RunTaskCommand)
      .resolves({ tasks: [sandboxTask("cnt-abc12", "provisioning")], failures: [] });

    const info = await harness.orchestrator.create(
      containerSpec({ env: { PORT: "8000", DEBUG: "it's on" }, ports: [8000, 3000] }),
    );

    const input = harness.ecsMock.commandCalls(RunTaskCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      cluster: "sandboxes",
      count: 1,
      enableExecuteCommand: true,
      capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }],
      startedBy: `hub-${INSTANCE}`,
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ["subnet-0a1", "subnet-0b2"],
          securityGroups: ["sg-0c3"],
          assignPublicIp: "DISABLED",
        },
      },
      overrides: {
        containerOverrides: [
          {
            name: "sandbox",
            environment: [
              { name: "DEBUG", value: "it's on" },
              { name: "PORT", value: "8000" },
            ],
          },
        ],
      },
    });
    expect(input.launchType).toBeUndefined();
    expect(input.clientToken).toMatch(/^cnt-abc12-/);
    expect(input.tags).toEqual([
      { key: "sandbox.hub/instance", value: INSTANCE },
      { key: "sandbox.hub/id", value: "cnt-abc12" },
      { key: "sandbox.hub/created-at", value: CREATED_AT.toISOString() },
      { key: "sandbox.hub/expires-at", value: "2030-01-01T01:00:00.000Z" },
      { key: "sandbox.hub/cpu", value: "0.25" },
      { key: "sandbox.hub/memory", value: "512" },
      { key: "sandbox.hub/placement", value: "fargate" },
      { key: "sandbox.hub/ports", value: "8000 3000" },
    ]);
    expect(info).toMatchObject({
      id: "cnt-abc12",
      status: "pending",
      placement: "fargate",
      cpu: 0.25,
      memory: 512,
    });
  });

  it("assigns a public IP only when configured", async () => {
    const harness = withDefinition(mockedOrchestrator({}, ecsSettings({ HUB_ECS_ASSIGN_PUBLIC_IP: "true" })));
    harness.ecsMock.on(RunTaskCommand).resolves({ tasks: [sandboxTask("cnt-abc12", "provisioning")] });
    await harness.orchestrator.create(containerSpec());
    const network = harness.ecsMock.commandCalls(RunTaskCommand)[0]!.args[0].input.networkConfiguration;
    expect(network?.awsvpcConfiguration?.assignPublicIp).toBe("ENABLED");
  });

  it("turns RunTask failures (no ENI, no capacity) into no_capacity with Retry-After", async () => {
    const harness = withDefinition(mockedOrchestrator());
    harness.ecsMock.on(RunTaskCommand).resolves({
      tasks: [],
      failures: [{ reason: "RESOURCE:ENI", detail: "no free ENI in subnet-0a1" }],
    });
    const failure = harness.orchestrator.create(containerSpec());
    await expect(failure).rejects.toBeInstanceOf(HubError);
    await expect(failure).rejects.toMatchObject({ code: "no_capacity", status: 503, retryAfterSeconds: 10 });
    await expect(failure).rejects.toThrow(/RESOURCE:ENI no free ENI in subnet-0a1/);
  });

  it("refuses a size no Fargate task holds with a clear 400", async () => {
    const harness = withDefinition(mockedOrchestrator());
    await expect(harness.orchestrator.create(containerSpec({ cpu: 32 }))).rejects.toMatchObject({
      code: "invalid_request",
      message: expect.stringMatching(/no Fargate size holds 32 vCPU/),
    });
    expect(harness.ecsMock.commandCalls(RunTaskCommand)).toHaveLength(0);
  });
});

describe("waitReady", () => {
  let harness: Harness;
  beforeEach(async () => {
    harness = withDefinition(mockedOrchestrator());
    harness.ecsMock.on(RunTaskCommand).resolves({ tasks: [sandboxTask("cnt-abc12", "provisioning")] });
    await harness.orchestrator.create(containerSpec());
  });

  it("polls with growing waits until the task runs and its exec agent is up, then reports timings and IP", async () => {
    harness.ecsMock
      .on(DescribeTasksCommand)
      .resolvesOnce({ tasks: [sandboxTask("cnt-abc12", "provisioning")] })
      .resolvesOnce({ tasks: [sandboxTask("cnt-abc12", "running-no-agent")] })
      .resolves({ tasks: [sandboxTask("cnt-abc12", "ready")] });

    const info = await harness.orchestrator.waitReady("cnt-abc12", 60_000);

    expect(info).toMatchObject({ status: "running", ip: "10.0.12.34", ports: [8000] });
    expect(await harness.orchestrator.portTarget(info, 8000)).toEqual({
      kind: "tcp",
      host: "10.0.12.34",
      port: 8000,
    });
    expect(info.timings).toEqual({
      accepted: 150,
      scheduled: 4_000,
      pulled: 19_000,
      started: 21_000,
      ready: 2_250,
    });
    expect(info.readyAt).toBe(new Date(CREATED_AT.getTime() + 2_250).toISOString());
    expect(harness.time.waits).toEqual([500, 750]);
    const describe = harness.ecsMock.commandCalls(DescribeTasksCommand)[0]!.args[0].input;
    expect(describe).toEqual({ cluster: "sandboxes", tasks: [taskArnOf("cnt-abc12")], include: ["TAGS"] });
  });

  it("fails with the stop reason and the container's reason when the task stops", async () => {
    harness.ecsMock.on(DescribeTasksCommand).resolves({ tasks: [sandboxTask("cnt-abc12", "pull-failed")] });
    const failure = harness.orchestrator.waitReady("cnt-abc12", 60_000);
    await expect(failure).rejects.toMatchObject({ code: "container_failed", status: 502 });
    await expect(failure).rejects.toThrow(
      /Task failed to start: CannotPullContainerError: pull image manifest/,
    );
  });

  it("gives up with a timeout error at the deadline", async () => {
    harness.ecsMock
      .on(DescribeTasksCommand)
      .resolves({ tasks: [sandboxTask("cnt-abc12", "running-no-agent")] });
    await expect(harness.orchestrator.waitReady("cnt-abc12", 5_000)).rejects.toMatchObject({
      code: "timeout",
      message: expect.stringMatching(/not ready for commands within 5000 ms/),
    });
    expect(harness.time.waits.reduce((sum, ms) => sum + ms, 0)).toBe(5_000);
  });
});

describe("list, get and delete read everything from the tasks", () => {
  const mine = ["cnt-one11", "cnt-two22"].map((id) => sandboxTask(id, "ready"));
  const otherHub = sandboxTask("cnt-zzz99", "ready", {
    taskArn: taskArnOf("cnt-other"),
    tags: [
      { key: "sandbox.hub/instance", value: "someone-else" },
      { key: "sandbox.hub/id", value: "cnt-zzz99" },
    ],
  });
  const failed = sandboxTask("cnt-bad33", "pull-failed");

  function withTasks(): Harness {
    const harness = mockedOrchestrator();
    harness.ecsMock
      .on(ListTasksCommand, { desiredStatus: "RUNNING" })
      .resolves({ taskArns: [mine[0]!.taskArn!, otherHub.taskArn!, mine[1]!.taskArn!] });
    harness.ecsMock
      .on(ListTasksCommand, { desiredStatus: "STOPPED" })
      .resolves({ taskArns: [failed.taskArn!] });
    describeFrom(harness, () => [...mine, otherHub, failed]);
    return harness;
  }

  it("lists this Hub's tasks by marker and tag, with metadata from the tags", async () => {
    const harness = withTasks();
    const items = await harness.orchestrator.list();
    expect(items.map((i) => i.id)).toEqual(["cnt-one11", "cnt-two22"]);
    expect(items[0]).toMatchObject({
      status: "running",
      placement: "fargate",
      image: "public.ecr.aws/docker/library/python:3.12-slim",
      cpu: 0.25,
      memory: 512,
      ip: "10.0.12.34",
      createdAt: CREATED_AT.toISOString(),
      expiresAt: "2030-01-01T01:00:00.000Z",
    });
    expect(harness.ecsMock.commandCalls(ListTasksCommand)[0]!.args[0].input).toMatchObject({
      cluster: "sandboxes",
      startedBy: `hub-${INSTANCE}`,
      desiredStatus: "RUNNING",
    });
  });

  it("follows ListTasks pages and describes in chunks of 100", async () => {
    const harness = mockedOrchestrator();
    const many = Array.from({ length: 150 }, (_, index) =>
      sandboxTask(`cnt-n${String(index).padStart(4, "0")}`, "ready"),
    );
    harness.ecsMock
      .on(ListTasksCommand)
      .resolvesOnce({ taskArns: many.slice(0, 100).map((t) => t.taskArn!), nextToken: "next" })
      .resolves({ taskArns: many.slice(100).map((t) => t.taskArn!) });
    describeFrom(harness, () => many);
    expect(await harness.orchestrator.list()).toHaveLength(150);
    expect(harness.ecsMock.commandCalls(ListTasksCommand)[1]!.args[0].input.nextToken).toBe("next");
    expect(
      harness.ecsMock.commandCalls(DescribeTasksCommand).map((c) => c.args[0].input.tasks?.length),
    ).toEqual([100, 50]);
  });

  it("gets a sandbox this Hub never saw (after a restart) by its tag, including a failed one", async () => {
    const harness = withTasks();
    expect(await harness.orchestrator.get("cnt-two22")).toMatchObject({ id: "cnt-two22", status: "running" });
    expect(await harness.orchestrator.get("cnt-bad33")).toMatchObject({
      status: "failed",
      message: expect.stringMatching(/CannotPullContainerError/),
    });
    expect(await harness.orchestrator.get("cnt-zzz99")).toBeUndefined();
    expect(await harness.orchestrator.get("cnt-nope0")).toBeUndefined();
  });

  it("deletes with StopTask and the Hub's reason; a second delete and an unknown id are false", async () => {
    const harness = withTasks();
    harness.ecsMock.on(StopTaskCommand).resolves({});
    expect(await harness.orchestrator.delete("cnt-one11")).toBe(true);
    expect(harness.ecsMock.commandCalls(StopTaskCommand)[0]!.args[0].input).toEqual({
      cluster: "sandboxes",
      task: taskArnOf("cnt-one11"),
      reason: "sandbox.hub: deleted",
    });
    expect(await harness.orchestrator.delete("cnt-one11")).toBe(false);
    expect(await harness.orchestrator.get("cnt-one11")).toBeUndefined();
    expect(await harness.orchestrator.delete("cnt-nope0")).toBe(false);
    expect(harness.ecsMock.commandCalls(StopTaskCommand)).toHaveLength(1);
  });

  it("extends by re-tagging the task's expiry; other Hubs' tasks and unknown ids are left alone", async () => {
    const harness = withTasks();
    harness.ecsMock.on(TagResourceCommand).resolves({});
    const later = new Date("2030-01-02T00:00:00.000Z");
    expect(await harness.orchestrator.extend("cnt-one11", later)).toMatchObject({
      id: "cnt-one11",
      status: "running",
      expiresAt: later.toISOString(),
    });
    expect(harness.ecsMock.commandCalls(TagResourceCommand)[0]!.args[0].input).toEqual({
      resourceArn: taskArnOf("cnt-one11"),
      tags: [{ key: "sandbox.hub/expires-at", value: later.toISOString() }],
    });
    expect(await harness.orchestrator.extend("cnt-zzz99", later)).toBeUndefined();
    expect(await harness.orchestrator.extend("cnt-nope0", later)).toBeUndefined();
    expect(harness.ecsMock.commandCalls(TagResourceCommand)).toHaveLength(1);
  });

  it("sees another replica's delete: a task stopped with the Hub's reason is gone", async () => {
    const harness = mockedOrchestrator();
    harness.ecsMock.on(ListTasksCommand).resolves({ taskArns: [taskArnOf("cnt-one11")] });
    describeFrom(harness, () => [sandboxTask("cnt-one11", "deleted")]);
    expect(await harness.orchestrator.get("cnt-one11")).toBeUndefined();
    expect(await harness.orchestrator.delete("cnt-one11")).toBe(false);
    expect(await harness.orchestrator.list()).toEqual([]);
  });
});

describe("ping", () => {
  it("passes when the cluster is ACTIVE and fails with 503 otherwise", async () => {
    const harness = mockedOrchestrator();
    harness.ecsMock
      .on(DescribeClustersCommand)
      .resolves({ clusters: [{ clusterName: "sandboxes", status: "ACTIVE" }] });
    await expect(harness.orchestrator.ping()).resolves.toBeUndefined();
    expect(harness.ecsMock.commandCalls(DescribeClustersCommand)[0]!.args[0].input).toEqual({
      clusters: ["sandboxes"],
    });

    harness.ecsMock
      .on(DescribeClustersCommand)
      .resolves({ clusters: [{ clusterName: "sandboxes", status: "INACTIVE" }] });
    await expect(harness.orchestrator.ping()).rejects.toThrow(/sandboxes is INACTIVE, not ACTIVE/);
    harness.ecsMock.on(DescribeClustersCommand).resolves({ clusters: [], failures: [{ reason: "MISSING" }] });
    await expect(harness.orchestrator.ping()).rejects.toMatchObject({
      code: "orchestrator_unavailable",
      message: expect.stringMatching(/missing/),
    });
  });
});
