/**
 * What the ECS stack provides, made in moto through the real AWS SDK: a VPC with a subnet and a
 * security group, the sandbox cluster, and the infrastructure's sandbox task definition.
 */
import {
  CreateVpcCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  EC2Client,
  ModifyVpcAttributeCommand,
} from "@aws-sdk/client-ec2";
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import { pino } from "pino";
import {
  createEcsOrchestrator,
  ecsEnvSchema,
  type EcsSettings,
} from "../../../src/orchestrator/ecs/index.js";
import type { ReadyPolling } from "../../../src/orchestrator/ecs/orchestrator.js";
import { fargateSizeFor } from "../../../src/orchestrator/ecs/fargate-sizes.js";
import { startedByMarker } from "../../../src/orchestrator/ecs/task-info.js";
import { sandboxTaskDefinitionInput } from "../../../src/orchestrator/ecs/task-definitions.js";
import type { ContainerSpec } from "../../../src/orchestrator/types.js";
import { newContainerId } from "../../../src/ids.js";
import { MOTO_ACCOUNT, MOTO_REGION, type MotoServer } from "../../peers/moto-server.js";

export const CLUSTER = "sandboxes";
export const IMAGE = "public.ecr.aws/docker/library/python:3.12-slim";
/** moto's ECS task model in its state manager (moto/ecs/models.py, class Task). */
export const ECS_TASK_MODEL = "ecs::task";
/** Tasks stay RUNNING until stopped: no DescribeTasks count ever reaches this. */
export const STAY_RUNNING = { progression: "manual", times: 1_000_000_000 } as const;

export interface EcsWorld {
  readonly ecs: ECSClient;
  readonly ec2: EC2Client;
  readonly subnetId: string;
  readonly securityGroupId: string;
  /** The Hub's ECS variables for this world (HUB_ECS_*, AWS_REGION). */
  readonly env: Record<string, string>;
  readonly settings: EcsSettings;
}

/** The Hub's ECS variables for `family` and this network (HUB_ECS_*, AWS_REGION). */
export function hubEcsEnv(family: string, subnetId: string, securityGroupId: string): Record<string, string> {
  return {
    AWS_REGION: MOTO_REGION,
    HUB_ECS_CLUSTER: CLUSTER,
    HUB_ECS_SUBNETS: subnetId,
    HUB_ECS_SECURITY_GROUPS: securityGroupId,
    HUB_ECS_TASK_FAMILY: family,
    HUB_ECS_EXECUTION_ROLE_ARN: `arn:aws:iam::${MOTO_ACCOUNT}:role/sandbox-execution`,
    HUB_ECS_TASK_ROLE_ARN: `arn:aws:iam::${MOTO_ACCOUNT}:role/sandbox-task`,
    HUB_ECS_LOG_GROUP: "/hub/sandboxes",
  };
}

/** One world per test; `moto.reset()` before it gives a clean account. */
export async function ecsWorld(moto: MotoServer, family = "hub-sandbox"): Promise<EcsWorld> {
  const ecs = new ECSClient({ ...moto.clientConfig, maxAttempts: 1 });
  const ec2 = new EC2Client({ ...moto.clientConfig, maxAttempts: 1 });
  const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }));
  const vpcId = Vpc!.VpcId!;
  // As the stack's VPC has them; moto names a task's ENI from its DNS hostname.
  await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }));
  const { Subnet } = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.8.0/22" }));
  const { GroupId } = await ec2.send(
    new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: "sandboxes", Description: "sandbox tasks" }),
  );
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  const env = hubEcsEnv(family, Subnet!.SubnetId!, GroupId!);
  return {
    ecs,
    ec2,
    subnetId: Subnet!.SubnetId!,
    securityGroupId: GroupId!,
    env,
    settings: ecsEnvSchema.parse(env),
  };
}

/**
 * Registers the sandbox definition for (IMAGE, cpu, memory) as the infrastructure does before a
 * Hub starts, with a container-level memory reservation: moto 5.2.5's RunTask fails (HTTP 500)
 * on a definition whose only memory is the task's, which Fargate allows.
 */
export async function registerInfrastructureDefinition(
  world: EcsWorld,
  cpu = 0.25,
  memoryMiB = 512,
): Promise<string> {
  const size = fargateSizeFor(cpu, memoryMiB);
  const input = sandboxTaskDefinitionInput(world.settings, { image: IMAGE, ...size });
  const containers = (input.containerDefinitions ?? []).map((c) => ({
    ...c,
    memoryReservation: size.memoryMiB,
  }));
  const { taskDefinition } = await world.ecs.send(
    new RegisterTaskDefinitionCommand({ ...input, containerDefinitions: containers }),
  );
  return taskDefinition!.taskDefinitionArn!;
}

/** An ECS orchestrator of Hub `instance` over moto; each call is a fresh Hub (no memory of earlier ones). */
export function hubOrchestrator(
  world: EcsWorld,
  instance: string,
  readyPolling: ReadyPolling = { initialDelayMs: 20, maxDelayMs: 100 },
) {
  return createEcsOrchestrator(
    world.settings,
    { instance, logger: pino({ level: "silent" }) },
    { ecs: world.ecs, readyPolling },
  );
}

export function sandboxSpec(overrides: Partial<ContainerSpec> = {}): ContainerSpec {
  const createdAt = new Date(Math.floor(Date.now() / 1000) * 1000);
  return {
    id: newContainerId(),
    image: IMAGE,
    cpu: 0.25,
    memoryMiB: 512,
    placement: "fargate",
    env: {},
    ports: [],
    createdAt,
    expiresAt: new Date(createdAt.getTime() + 3_600_000),
    ...overrides,
  };
}

export function tagsOf(task: Task | undefined): Record<string, string> {
  return Object.fromEntries((task?.tags ?? []).map((tag) => [tag.key ?? "", tag.value ?? ""]));
}

/** Every task Hub `instance` started, running or stopped, with its tags, read from moto directly. */
export async function tasksStartedBy(world: EcsWorld, instance: string): Promise<Task[]> {
  const arns: string[] = [];
  for (const desiredStatus of ["RUNNING", "STOPPED"] as const) {
    const page = await world.ecs.send(
      new ListTasksCommand({ cluster: CLUSTER, startedBy: startedByMarker(instance), desiredStatus }),
    );
    arns.push(...(page.taskArns ?? []));
  }
  if (arns.length === 0) return [];
  const { tasks } = await world.ecs.send(
    new DescribeTasksCommand({ cluster: CLUSTER, tasks: arns, include: ["TAGS"] }),
  );
  return tasks ?? [];
}

/** The task of sandbox `id` of Hub `instance`, found in moto by its tag. */
export async function taskOfSandbox(
  world: EcsWorld,
  instance: string,
  id: string,
): Promise<Task | undefined> {
  return (await tasksStartedBy(world, instance)).find((task) => tagsOf(task)["sandbox.hub/id"] === id);
}
