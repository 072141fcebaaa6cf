/**
 * The ECS orchestrator against moto (the real AWS SDK over HTTP): RunTask, DescribeTasks,
 * ListTasks, TagResource, StopTask, DescribeClusters. Every assertion on ECS's side reads moto
 * back through the SDK, not through the orchestrator. What moto cannot produce (PROVISIONING,
 * the exec agent, RunTask failures, throttling, ExecuteCommand) stays in ../lifecycle.test.ts,
 * ../throttling.test.ts and ../exec.test.ts; docs/testing.md lists it.
 */
import { DescribeNetworkInterfacesCommand } from "@aws-sdk/client-ec2";
import {
  DeleteClusterCommand,
  DescribeTasksCommand,
  ListTaskDefinitionsCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import { beforeEach, describe, expect, it } from "vitest";
import { HUB_STOP_REASON, sandboxTags } from "../../../src/orchestrator/ecs/task-info.js";
import { motoForThisFile } from "../../peers/moto-server.js";
import {
  CLUSTER,
  ECS_TASK_MODEL,
  STAY_RUNNING,
  ecsWorld,
  hubOrchestrator,
  registerInfrastructureDefinition,
  sandboxSpec,
  tagsOf,
  taskOfSandbox,
  type EcsWorld,
} from "./moto-world.js";

const moto = motoForThisFile();
let world: EcsWorld;
let definitionArn: string;

beforeEach(async () => {
  await moto().reset();
  await moto().setTransition(ECS_TASK_MODEL, STAY_RUNNING);
  world = await ecsWorld(moto());
  definitionArn = await registerInfrastructureDefinition(world);
});

async function describeTask(taskArn: string): Promise<Task | undefined> {
  const { tasks } = await world.ecs.send(
    new DescribeTasksCommand({ cluster: CLUSTER, tasks: [taskArn], include: ["TAGS"] }),
  );
  return tasks?.[0];
}

/** The ARN of sandbox `id`'s task, found in moto by its tag. */
async function taskArnOf(id: string, instance = "hub-a"): Promise<string> {
  const task = await taskOfSandbox(world, instance, id);
  if (task?.taskArn === undefined) throw new Error(`moto has no task tagged ${id}`);
  return task.taskArn;
}

describe("create", () => {
  it("runs one Fargate task of the infrastructure's definition in the configured subnet and security group, with the Hub's tags, marker and environment", async () => {
    const hub = hubOrchestrator(world, "hub-a");
    const spec = sandboxSpec({ env: { PORT: "8000", GREETING: "it's on" } });

    const info = await hub.create(spec);

    const task = await describeTask(await taskArnOf(spec.id));
    expect(task).toMatchObject({
      clusterArn: expect.stringMatching(/:cluster\/sandboxes$/),
      taskDefinitionArn: definitionArn,
      capacityProviderName: "FARGATE",
      platformVersion: "LATEST",
      startedBy: "hub-hub-a",
      desiredStatus: "RUNNING",
      lastStatus: "RUNNING",
      overrides: {
        containerOverrides: [
          {
            name: "sandbox",
            environment: [
              { name: "GREETING", value: "it's on" },
              { name: "PORT", value: "8000" },
            ],
          },
        ],
      },
    });
    expect(tagsOf(task)).toEqual(
      Object.fromEntries(sandboxTags(spec, "hub-a").map((tag) => [tag.key, tag.value])),
    );
    // The task's ENI, as EC2 sees it: in our subnet, behind our security group only.
    const details = task?.attachments?.[0]?.details ?? [];
    const eniId = details.find((d) => d.name === "networkInterfaceId")?.value;
    const { NetworkInterfaces } = await world.ec2.send(
      new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId!] }),
    );
    expect(NetworkInterfaces?.[0]).toMatchObject({
      SubnetId: world.subnetId,
      Groups: [{ GroupId: world.securityGroupId }],
      PrivateIpAddress: info.ip,
    });
    // moto reports no ExecuteCommandAgent, so the sandbox is not ready for commands.
    expect(info).toMatchObject({ id: spec.id, status: "pending", image: spec.image, cpu: 0.25, memory: 512 });
    const { taskDefinitionArns } = await world.ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: "hub-sandbox" }),
    );
    expect(taskDefinitionArns).toEqual([definitionArn]);
    await hub.close();
  });
});

describe("get and list read everything back from ECS", () => {
  it("finds each Hub's own sandboxes by tag, after a restart too, and never another Hub's or a foreign task", async () => {
    const hubA = hubOrchestrator(world, "hub-a");
    const hubB = hubOrchestrator(world, "hub-b");
    const [one, two] = [sandboxSpec(), sandboxSpec()];
    const other = sandboxSpec();
    await hubA.create(one);
    await hubA.create(two);
    await hubB.create(other);
    // A task someone else started in the same cluster, with no Hub tags.
    await world.ecs.send(
      new RunTaskCommand({
        cluster: CLUSTER,
        taskDefinition: definitionArn,
        capacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1 }],
        networkConfiguration: {
          awsvpcConfiguration: { subnets: [world.subnetId], securityGroups: [world.securityGroupId] },
        },
      }),
    );

    const ids = async (hub: ReturnType<typeof hubOrchestrator>) =>
      (await hub.list()).map((info) => info.id).sort();
    expect(await ids(hubA)).toEqual([one.id, two.id].sort());
    expect(await ids(hubB)).toEqual([other.id]);

    const restarted = hubOrchestrator(world, "hub-a");
    expect(await restarted.get(two.id)).toMatchObject({
      id: two.id,
      status: "pending",
      createdAt: two.createdAt.toISOString(),
      expiresAt: two.expiresAt.toISOString(),
    });
    expect(await restarted.get(other.id)).toBeUndefined();
    expect(await restarted.get("cnt-unknown1")).toBeUndefined();
    await Promise.all([hubA.close(), hubB.close(), restarted.close()]);
  });
});

describe("extend", () => {
  it("moves the expiry tag with TagResource, and a restarted Hub reads the new one", async () => {
    const hub = hubOrchestrator(world, "hub-a");
    const spec = sandboxSpec();
    await hub.create(spec);
    const later = new Date(spec.expiresAt.getTime() + 7_200_000);

    const extended = await hub.extend(spec.id, later);

    expect(extended?.expiresAt).toBe(later.toISOString());
    const task = await describeTask(await taskArnOf(spec.id));
    expect(tagsOf(task)["sandbox.hub/expires-at"]).toBe(later.toISOString());
    expect(tagsOf(task)["sandbox.hub/id"]).toBe(spec.id);
    expect((await hubOrchestrator(world, "hub-a").get(spec.id))?.expiresAt).toBe(later.toISOString());
    expect(await hub.extend("cnt-unknown1", later)).toBeUndefined();
  });
});

describe("delete", () => {
  it("stops the task with the Hub's reason; the sandbox is gone for this Hub and for a restarted one", async () => {
    const hub = hubOrchestrator(world, "hub-a");
    const spec = sandboxSpec();
    await hub.create(spec);
    const arn = await taskArnOf(spec.id);

    expect(await hub.delete(spec.id)).toBe(true);

    expect(await describeTask(arn)).toMatchObject({
      desiredStatus: "STOPPED",
      lastStatus: "STOPPED",
      stoppedReason: HUB_STOP_REASON,
    });
    expect(await hub.get(spec.id)).toBeUndefined();
    expect(await hub.delete(spec.id)).toBe(false);
    const restarted = hubOrchestrator(world, "hub-a");
    expect(await restarted.get(spec.id)).toBeUndefined();
    expect(await restarted.list()).toEqual([]);
    expect(await restarted.delete(spec.id)).toBe(false);
  });
});

describe("a task that stops by itself", () => {
  it("reads as failed with the reason ECS gives, and readiness and commands say so", async () => {
    const hub = hubOrchestrator(world, "hub-a");
    const spec = sandboxSpec();
    await hub.create(spec);
    await world.ecs.send(
      new StopTaskCommand({ cluster: CLUSTER, task: await taskArnOf(spec.id), reason: "Spot interruption" }),
    );

    expect(await hub.get(spec.id)).toMatchObject({
      status: "failed",
      message: expect.stringMatching(/^Spot interruption/),
    });
    await expect(hub.waitReady(spec.id, 5_000)).rejects.toMatchObject({
      code: "container_failed",
      message: expect.stringMatching(/failed to start: Spot interruption/),
    });
    await expect(
      hub.run(spec.id, { command: ["ls"], timeoutMs: 1000, maxOutputBytes: 1024 }),
    ).rejects.toMatchObject({
      code: "container_failed",
      message: expect.stringMatching(/has stopped: Spot interruption/),
    });
  });

  it("walks moto's own lifecycle (one state per DescribeTasks): terminating on the way down, failed when stopped", async () => {
    // moto's default for ecs::task: RUNNING -> DEACTIVATING -> STOPPING -> DEPROVISIONING -> STOPPED.
    await moto().unsetTransition(ECS_TASK_MODEL);
    const hub = hubOrchestrator(world, "hub-a");
    const spec = sandboxSpec();
    expect((await hub.create(spec)).status).toBe("pending");

    const seen: string[] = [];
    for (let step = 0; step < 4; step++) seen.push((await hub.get(spec.id))?.status ?? "gone");

    expect(seen).toEqual(["terminating", "terminating", "terminating", "failed"]);
    expect((await describeTask(await taskArnOf(spec.id)))?.lastStatus).toBe("STOPPED");
  });

  it("ends readiness at the first step down instead of polling until the deadline", async () => {
    await moto().unsetTransition(ECS_TASK_MODEL);
    const hub = hubOrchestrator(world, "hub-a");
    const spec = sandboxSpec();
    await hub.create(spec);
    await expect(hub.waitReady(spec.id, 60_000)).rejects.toMatchObject({
      code: "container_failed",
      message: expect.stringMatching(/is stopping and will not become ready/),
    });
  });
});

describe("readiness", () => {
  it("waits for the exec agent: a RUNNING task without one (all moto reports) is not ready by the deadline", async () => {
    const hub = hubOrchestrator(world, "hub-a");
    const spec = sandboxSpec();
    await hub.create(spec);
    await expect(hub.waitReady(spec.id, 500)).rejects.toMatchObject({
      code: "timeout",
      message: expect.stringMatching(/not ready for commands within 500 ms/),
    });
    await expect(
      hub.run(spec.id, { command: ["ls"], timeoutMs: 1000, maxOutputBytes: 1024 }),
    ).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringMatching(/is pending, not ready for commands/),
    });
  });

  it("pings the cluster: ACTIVE passes, a missing or deleted one is named", async () => {
    await hubOrchestrator(world, "hub-a").ping();
    const elsewhere = hubOrchestrator(
      { ...world, settings: { ...world.settings, cluster: "nowhere" } },
      "hub-a",
    );
    await expect(elsewhere.ping()).rejects.toMatchObject({
      code: "orchestrator_unavailable",
      message: "ECS cluster nowhere is missing, not ACTIVE",
    });
    await world.ecs.send(new DeleteClusterCommand({ cluster: CLUSTER }));
    await expect(hubOrchestrator(world, "hub-a").ping()).rejects.toMatchObject({
      message: `ECS cluster ${CLUSTER} is INACTIVE, not ACTIVE`,
    });
  });
});
