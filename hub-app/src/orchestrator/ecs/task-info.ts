/**
 * What a sandbox task carries (tags) and how an ECS task reads back as a ContainerInfo.
 * Everything `get`/`list` need is on the task itself, so the Hub keeps no state.
 */
import { createHash } from "node:crypto";
import type { RunTaskCommandInput, Task, Tag } from "@aws-sdk/client-ecs";
import { METADATA_KEY } from "../metadata-keys.js";
import { formatPortList, parsePortList } from "../port-list.js";
import type { ContainerInfo, ContainerSpec, ContainerStatus, ContainerTimings } from "../types.js";
import type { EcsSettings } from "./settings.js";
import { SANDBOX_CONTAINER_NAME } from "./task-definitions.js";

export const TAG = METADATA_KEY;

/** StopTask's reason when the Hub deletes a sandbox; a task stopped with it is gone, not failed. */
export const HUB_STOP_REASON = "sandbox.hub: deleted";

/** The managed agent that must be RUNNING before ECS Exec works ("ready for commands"). */
const EXEC_AGENT = "ExecuteCommandAgent";

/**
 * RunTask's `startedBy` for this Hub's tasks, so ListTasks can filter them. ECS allows up to 36
 * letters, digits, `-`, `/` and `_` (RunTask API reference); an instance name outside that
 * becomes a hash. ListTasks only narrows; the instance tag is what decides.
 */
export function startedByMarker(instance: string): string {
  if (/^[A-Za-z0-9_-]{1,32}$/.test(instance)) return `hub-${instance}`;
  return `hub-${createHash("sha256").update(instance).digest("hex").slice(0, 32)}`;
}

export function sandboxTags(spec: ContainerSpec, instance: string): Tag[] {
  return [
    { key: TAG.instance, value: instance },
    { key: TAG.id, value: spec.id },
    { key: TAG.createdAt, value: spec.createdAt.toISOString() },
    { key: TAG.expiresAt, value: spec.expiresAt.toISOString() },
    { key: TAG.cpu, value: String(spec.cpu) },
    { key: TAG.memory, value: String(spec.memoryMiB) },
    { key: TAG.placement, value: spec.placement },
    // An empty tag value is allowed (ECS TagResource reference): no ports declared.
    { key: TAG.ports, value: formatPortList(spec.ports) },
  ];
}

type RunSettings = Pick<
  EcsSettings,
  "cluster" | "subnets" | "securityGroups" | "assignPublicIp" | "capacityProvider"
>;

/**
 * RunTask for one sandbox. Ports need no mapping: in awsvpc mode the task has its own ENI and
 * every port on it is reachable as far as the security groups allow (only from the Hub).
 */
export function runTaskInput(
  settings: RunSettings,
  spec: ContainerSpec,
  taskDefinitionArn: string,
  instance: string,
): RunTaskCommandInput {
  const environment = Object.entries(spec.env)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => ({ name, value }));
  return {
    cluster: settings.cluster,
    taskDefinition: taskDefinitionArn,
    count: 1,
    // A strategy (not launchType) so FARGATE_SPOT works; the two exclude each other.
    capacityProviderStrategy: [{ capacityProvider: settings.capacityProvider, weight: 1 }],
    platformVersion: "LATEST",
    enableExecuteCommand: true,
    startedBy: startedByMarker(instance),
    // Idempotency: a repeated RunTask with the same token starts no second task (up to 64 characters).
    clientToken: `${spec.id}-${spec.createdAt.getTime()}`,
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: [...settings.subnets],
        securityGroups: [...settings.securityGroups],
        assignPublicIp: settings.assignPublicIp ? "ENABLED" : "DISABLED",
      },
    },
    overrides: { containerOverrides: [{ name: SANDBOX_CONTAINER_NAME, environment }] },
    // Tags go on the task directly; the task definition has none to propagate.
    tags: sandboxTags(spec, instance),
  };
}

export function tagValue(task: Task, key: string): string | undefined {
  return task.tags?.find((tag) => tag.key === key)?.value;
}

/** True when the Hub's own StopTask ended this task: it no longer exists for callers. */
export function deletedByHub(task: Task): boolean {
  return task.desiredStatus === "STOPPED" && task.stoppedReason === HUB_STOP_REASON;
}

/** "Task failed to start: CannotPullContainerError: ..." from the task's and its container's reasons. */
export function stopMessage(task: Task): string {
  const container = task.containers?.find((c) => c.name === SANDBOX_CONTAINER_NAME) ?? task.containers?.[0];
  const parts = [task.stoppedReason, container?.reason].filter((part): part is string => Boolean(part));
  if (container?.exitCode !== undefined) parts.push(`exit code ${container.exitCode}`);
  return parts.length > 0 ? parts.join(": ") : `task stopped (${task.stopCode ?? "no reason given"})`;
}

function execAgentRunning(task: Task): boolean {
  return (task.containers ?? []).some((c) =>
    (c.managedAgents ?? []).some((agent) => agent.name === EXEC_AGENT && agent.lastStatus === "RUNNING"),
  );
}

/**
 * lastStatus values of a task on its way out, whatever its desiredStatus still says (Amazon ECS
 * task lifecycle, https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle.html).
 */
const LEAVING_STATES = new Set(["DEACTIVATING", "STOPPING", "DEPROVISIONING"]);

export function taskStatus(task: Task): ContainerStatus {
  if (task.lastStatus === "STOPPED" || task.lastStatus === "DELETED") return "failed";
  if (task.desiredStatus === "STOPPED" || LEAVING_STATES.has(task.lastStatus ?? "")) {
    const failing = task.stopCode === "TaskFailedToStart" || task.stopCode === "EssentialContainerExited";
    return failing ? "failed" : "terminating";
  }
  return task.lastStatus === "RUNNING" && execAgentRunning(task) ? "running" : "pending";
}

/** The private address of the task's ENI (awsvpc). */
export function taskIp(task: Task): string | undefined {
  const eni = task.attachments?.find((a) => a.type === "ElasticNetworkInterface");
  return eni?.details?.find((d) => d.name === "privateIPv4Address")?.value;
}

/** Phases ECS reports, in ms since the Hub accepted the request. */
export function taskTimings(task: Task, createdAt: Date): ContainerTimings {
  const since = (at: Date | undefined): number | undefined =>
    at === undefined ? undefined : Math.max(0, at.getTime() - createdAt.getTime());
  const timings: ContainerTimings = {
    accepted: since(task.createdAt),
    // Pulling starts once Fargate placed the task and attached its ENI.
    scheduled: since(task.pullStartedAt),
    pulled: since(task.pullStoppedAt),
    started: since(task.startedAt),
  };
  return Object.fromEntries(Object.entries(timings).filter(([, ms]) => ms !== undefined));
}

/** The task as the API shows it; undefined when it is not this Hub's sandbox, the Hub deleted it, or it is a pool member. */
export function taskToInfo(task: Task, instance: string): ContainerInfo | undefined {
  const id = tagValue(task, TAG.id);
  if (tagValue(task, TAG.instance) !== instance || id === undefined || deletedByHub(task)) return undefined;
  // A warm-pool member is nobody's container until a claim removes this tag.
  if (tagValue(task, TAG.warmPool) !== undefined) return undefined;
  const createdAt = parseDate(tagValue(task, TAG.createdAt)) ?? task.createdAt ?? new Date(0);
  const expiresAt = parseDate(tagValue(task, TAG.expiresAt)) ?? createdAt;
  const status = taskStatus(task);
  const container = task.containers?.find((c) => c.name === SANDBOX_CONTAINER_NAME);
  const cpu = Number(tagValue(task, TAG.cpu) ?? Number(task.cpu) / 1024);
  const memory = Number(tagValue(task, TAG.memory) ?? task.memory);
  const ip = taskIp(task);
  return {
    id,
    status,
    placement: "fargate",
    image: container?.image ?? "",
    cpu,
    memory,
    ...(ip === undefined ? {} : { ip }),
    ports: parsePortList(tagValue(task, TAG.ports)),
    createdAt: createdAt.toISOString(),
    expiresAt: expiresAt.toISOString(),
    timings: taskTimings(task, createdAt),
    ...(status === "failed" ? { message: stopMessage(task) } : {}),
  };
}

function parseDate(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
