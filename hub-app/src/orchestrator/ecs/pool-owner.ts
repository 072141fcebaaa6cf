/**
 * Which Hub replica owns a warm-pool member on ECS, and whether that replica is gone.
 *
 * On ECS the owner is the Hub's own task ARN, read from the task metadata endpoint that ECS gives
 * every Fargate task (ECS_CONTAINER_METADATA_URI_V4, "Task metadata endpoint version 4" in the
 * Amazon ECS developer guide). A replica is gone once DescribeTasks reports its task STOPPED (or
 * no longer knows it): a stopped task's containers have exited, so it can never claim again.
 * A Hub outside ECS (a developer's machine) owns its members as `hub:<HUB_INSTANCE>` and must be
 * the only Hub with that HUB_INSTANCE there; nobody else can tell whether it is gone.
 */
import { DescribeTasksCommand, type ECSClient } from "@aws-sdk/client-ecs";
import { callEcs } from "./errors.js";

/** `arn:aws:ecs:<region>:<account>:task/<cluster>/<task id>`: the cluster is the segment after `task/`. */
const TASK_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task\/([^/]+)\/[A-Za-z0-9_-]+$/;
const METADATA_TIMEOUT_MS = 2000;

export interface PoolOwnership {
  /** This replica's owner name, tagged on every member it starts. */
  readonly self: () => Promise<string>;
  /** Whether the replica that owns `owner` has stopped for good. */
  readonly isGone: (owner: string) => Promise<boolean>;
}

/** This replica's task ARN from the metadata endpoint, or the standalone name outside ECS. */
export async function resolveOwner(
  env: NodeJS.ProcessEnv,
  instance: string,
  fetchJson: (url: string) => Promise<unknown> = fetchWithTimeout,
): Promise<string> {
  const endpoint = env.ECS_CONTAINER_METADATA_URI_V4;
  if (endpoint === undefined || endpoint === "") return `hub:${instance}`;
  const task = (await fetchJson(`${endpoint}/task`)) as { TaskARN?: unknown } | undefined;
  const arn = task?.TaskARN;
  if (typeof arn !== "string" || !TASK_ARN.test(arn))
    throw new Error(`the ECS task metadata endpoint gave no task ARN (${endpoint}/task)`);
  return arn;
}

async function fetchWithTimeout(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(METADATA_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.json();
}

/** Owner liveness from DescribeTasks; owners that are not task ARNs are never declared gone. */
export function taskOwnership(ecs: ECSClient, self: () => Promise<string>): PoolOwnership {
  let resolved: Promise<string> | undefined;
  return {
    self: () => {
      resolved ??= self();
      // A failed lookup is tried again next time rather than remembered.
      resolved.catch(() => (resolved = undefined));
      return resolved;
    },
    isGone: async (owner) => {
      const cluster = TASK_ARN.exec(owner)?.[1];
      if (cluster === undefined) return false;
      const result = await callEcs("DescribeTasks", () =>
        ecs.send(new DescribeTasksCommand({ cluster, tasks: [owner] })),
      );
      const task = result.tasks?.find((candidate) => candidate.taskArn === owner);
      if (task !== undefined) return task.lastStatus === "STOPPED";
      // ECS forgets stopped tasks after about an hour and then reports them MISSING.
      return (result.failures ?? []).some((failure) => failure.arn === owner && failure.reason === "MISSING");
    },
  };
}
