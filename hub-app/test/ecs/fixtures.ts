/** Shared pieces of the ECS orchestrator tests: settings, specs, tasks as ECS describes them, a mocked client. */
import {
  ECSClient,
  ECSServiceException,
  InvalidParameterException,
  type ManagedAgent,
  type Task,
} from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { pino } from "pino";
import {
  createEcsOrchestrator,
  ecsEnvSchema,
  type EcsSeams,
  type EcsSettings,
} from "../../src/orchestrator/ecs/index.js";
import type { ContainerSpec } from "../../src/orchestrator/types.js";

export const CLUSTER = "sandboxes";
export const INSTANCE = "hub-test";

/** The ECS orchestrator's environment as a stack sets it, for this fake cluster. */
export const ECS_HUB_ENV: Readonly<Record<string, string>> = {
  AWS_REGION: "eu-west-1",
  HUB_ECS_CLUSTER: CLUSTER,
  HUB_ECS_SUBNETS: "subnet-0a1,subnet-0b2",
  HUB_ECS_SECURITY_GROUPS: "sg-0c3",
  HUB_ECS_TASK_FAMILY: "hub-sandbox",
  HUB_ECS_EXECUTION_ROLE_ARN: "arn:aws:iam::123456789012:role/sandbox-execution",
  HUB_ECS_TASK_ROLE_ARN: "arn:aws:iam::123456789012:role/sandbox-task",
  HUB_ECS_LOG_GROUP: "/hub/test",
};

export function ecsSettings(overrides: Record<string, string> = {}): EcsSettings {
  return ecsEnvSchema.parse({ ...ECS_HUB_ENV, ...overrides });
}

export const CREATED_AT = new Date("2030-01-01T00:00:00.000Z");

export function containerSpec(overrides: Partial<ContainerSpec> = {}): ContainerSpec {
  return {
    id: "cnt-abc12",
    image: "public.ecr.aws/docker/library/python:3.12-slim",
    cpu: 0.25,
    memoryMiB: 512,
    placement: "fargate",
    env: {},
    ports: [],
    createdAt: CREATED_AT,
    expiresAt: new Date(CREATED_AT.getTime() + 3_600_000),
    ...overrides,
  };
}

export const taskArnOf = (id: string): string =>
  `arn:aws:ecs:eu-west-1:123456789012:task/${CLUSTER}/${id.replace("cnt-", "t")}`;

const at = (ms: number): Date => new Date(CREATED_AT.getTime() + ms);

/** A sandbox task as DescribeTasks (include TAGS) shows it; `phase` picks how far it got. */
export function sandboxTask(
  id: string,
  phase: "provisioning" | "running-no-agent" | "ready" | "pull-failed" | "deleted",
  overrides: Partial<Task> = {},
): Task {
  const tags = [
    { key: "sandbox.hub/instance", value: INSTANCE },
    { key: "sandbox.hub/id", value: id },
    { key: "sandbox.hub/created-at", value: CREATED_AT.toISOString() },
    { key: "sandbox.hub/expires-at", value: at(3_600_000).toISOString() },
    { key: "sandbox.hub/cpu", value: "0.25" },
    { key: "sandbox.hub/memory", value: "512" },
    { key: "sandbox.hub/placement", value: "fargate" },
    { key: "sandbox.hub/ports", value: "8000" },
  ];
  const base: Task = {
    taskArn: taskArnOf(id),
    tags,
    cpu: "256",
    memory: "512",
    createdAt: at(150),
    desiredStatus: "RUNNING",
    lastStatus: "PROVISIONING",
    containers: [
      { name: "sandbox", image: "public.ecr.aws/docker/library/python:3.12-slim", lastStatus: "PENDING" },
    ],
  };
  const network = {
    attachments: [
      {
        type: "ElasticNetworkInterface",
        status: "ATTACHED",
        details: [
          { name: "subnetId", value: "subnet-0a1" },
          { name: "privateIPv4Address", value: "10.0.12.34" },
        ],
      },
    ],
  };
  const agent = (lastStatus: string): ManagedAgent[] => [{ name: "ExecuteCommandAgent", lastStatus }];
  const running: Task = {
    ...base,
    ...network,
    lastStatus: "RUNNING",
    pullStartedAt: at(4_000),
    pullStoppedAt: at(19_000),
    startedAt: at(21_000),
  };
  const phases: Record<typeof phase, Task> = {
    provisioning: base,
    "running-no-agent": {
      ...running,
      containers: [
        {
          name: "sandbox",
          image: base.containers![0]!.image,
          lastStatus: "RUNNING",
          managedAgents: agent("PENDING"),
        },
      ],
    },
    ready: {
      ...running,
      containers: [
        {
          name: "sandbox",
          image: base.containers![0]!.image,
          lastStatus: "RUNNING",
          managedAgents: agent("RUNNING"),
        },
      ],
    },
    "pull-failed": {
      ...base,
      ...network,
      desiredStatus: "STOPPED",
      lastStatus: "STOPPED",
      stopCode: "TaskFailedToStart",
      stoppedReason: "Task failed to start",
      containers: [
        {
          name: "sandbox",
          image: "nope/missing:1",
          lastStatus: "STOPPED",
          reason: "CannotPullContainerError: pull image manifest has been retried 5 time(s): not found",
        },
      ],
    },
    deleted: {
      ...running,
      desiredStatus: "STOPPED",
      lastStatus: "STOPPED",
      stoppedReason: "sandbox.hub: deleted",
      stopCode: "UserInitiated",
    },
  };
  return { ...phases[phase], ...overrides };
}

export function throttling(message = "Rate exceeded"): ECSServiceException {
  return new ECSServiceException({
    name: "ThrottlingException",
    $fault: "client",
    message,
    $metadata: { httpStatusCode: 400 },
  });
}

export function rateExceededParameterError(): InvalidParameterException {
  return new InvalidParameterException({ message: "Rate exceeded", $metadata: { httpStatusCode: 400 } });
}

/** A sleep that returns at once and advances `now`, recording each wait. */
export function fakeTime(): { sleep: (ms: number) => Promise<void>; now: () => number; waits: number[] } {
  let current = CREATED_AT.getTime() + 1_000;
  const waits: number[] = [];
  return {
    waits,
    now: () => current,
    sleep: (ms) => {
      waits.push(ms);
      current += ms;
      return Promise.resolve();
    },
  };
}

export function silentContext(instance = INSTANCE) {
  return { instance, logger: pino({ level: "silent" }) };
}

/** A mocked ECS client and an orchestrator over it with instant, recorded sleeps. */
export function mockedOrchestrator(deps: Partial<EcsSeams> = {}, settings = ecsSettings()) {
  const ecs = new ECSClient({ region: "eu-west-1" });
  const ecsMock = mockClient(ecs);
  const time = fakeTime();
  const make = () =>
    createEcsOrchestrator(settings, silentContext(), { ecs, sleep: time.sleep, now: time.now, ...deps });
  return { ecs, ecsMock, time, orchestrator: make(), make };
}
