/**
 * The sandbox task definitions against moto (the real AWS SDK over HTTP): RegisterTaskDefinition,
 * ListTaskDefinitions, DescribeTaskDefinition, as a Hub and a restarted Hub use them.
 */
import {
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
} from "@aws-sdk/client-ecs";
import { beforeEach, describe, expect, it } from "vitest";
import { fargateSizeFor } from "../../../src/orchestrator/ecs/fargate-sizes.js";
import { ecsEnvSchema } from "../../../src/orchestrator/ecs/settings.js";
import { TaskDefinitionRegistry, definitionServes } from "../../../src/orchestrator/ecs/task-definitions.js";
import { motoForThisFile } from "../../peers/moto-server.js";
import { IMAGE, hubEcsEnv } from "./moto-world.js";

const FAMILY = "hub-sandbox-defs";

// Task definitions name no network: the subnet and security group are never looked up.
const settings = ecsEnvSchema.parse(hubEcsEnv(FAMILY, "subnet-0a1", "sg-0c3"));
const moto = motoForThisFile();
let ecs: ECSClient;
beforeEach(async () => {
  await moto().reset();
  ecs = new ECSClient({ ...moto().clientConfig, maxAttempts: 1 });
});

/** A Hub's registry; each call is a fresh Hub that knows only what ECS tells it. */
const registry = () => new TaskDefinitionRegistry(ecs, settings);
const small = { image: IMAGE, ...fargateSizeFor(0.25, 512) };
const large = { image: IMAGE, ...fargateSizeFor(1, 2048) };

async function familyArns(): Promise<string[]> {
  const { taskDefinitionArns } = await ecs.send(
    new ListTaskDefinitionsCommand({ familyPrefix: FAMILY, status: "ACTIVE" }),
  );
  return taskDefinitionArns ?? [];
}

describe("sandbox task definitions in ECS", () => {
  it("registers one revision per (image, size) that reads back with what ECS Exec needs", async () => {
    const hub = registry();
    const [first, again] = await Promise.all([hub.arnFor(small), hub.arnFor(small)]);
    expect(again).toBe(first);
    expect(first).toMatch(new RegExp(`:task-definition/${FAMILY}:1$`));

    const { taskDefinition } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: first }));
    expect(definitionServes(taskDefinition!, settings, small)).toBe(true);
    expect(taskDefinition).toMatchObject({
      cpu: "256",
      memory: "512",
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
      containerDefinitions: [
        {
          name: "sandbox",
          image: IMAGE,
          linuxParameters: { initProcessEnabled: true },
          readonlyRootFilesystem: false,
          logConfiguration: {
            logDriver: "awslogs",
            options: { "awslogs-group": "/hub/sandboxes", mode: "non-blocking" },
          },
        },
      ],
    });
    expect(await hub.arnFor(large)).toMatch(new RegExp(`:task-definition/${FAMILY}:2$`));
    expect(await familyArns()).toHaveLength(2);
  });

  it("reuses what an earlier Hub registered instead of piling up revisions", async () => {
    const first = await registry().arnFor(small);
    const restarted = registry();
    expect(await restarted.arnFor(small)).toBe(first);
    expect(await familyArns()).toEqual([first]);
  });

  it("does not reuse a deregistered revision", async () => {
    const first = await registry().arnFor(small);
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: first }));
    const replacement = await registry().arnFor(small);
    expect(replacement).not.toBe(first);
    expect(await familyArns()).toEqual([replacement]);
  });
});
