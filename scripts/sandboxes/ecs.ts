/**
 * Stops every ECS task a Hub started, by its instance tag, and waits until ECS reports each STOPPED:
 * until then the task holds its ENI, which keeps the security group and subnets from being deleted,
 * and ECS refuses to delete the cluster (ECS API, DeleteCluster and StopTask).
 */
import {
  DescribeTasksCommand,
  type ECSClient,
  ListTasksCommand,
  StopTaskCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import { METADATA_KEY } from "../../hub-app/src/orchestrator/metadata-keys";
import type { EcsTarget } from "./targets";
import { forEachLimited } from "../../hub-app/src/concurrency";
import { waitUntil } from "./wait";

/** StopTask's reason, shown in the console for every task this stopped. */
export const STOP_REASON = "sandbox.hub: stopped before the stack was destroyed";
/** DescribeTasks takes at most 100 tasks per call. */
const DESCRIBE_CHUNK = 100;

async function listRunning(ecs: ECSClient, cluster: string): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs.send(new ListTasksCommand({ cluster, desiredStatus: "RUNNING", nextToken }));
    arns.push(...(page.taskArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return arns;
}

async function describe(ecs: ECSClient, cluster: string, arns: readonly string[]): Promise<Task[]> {
  const tasks: Task[] = [];
  for (let start = 0; start < arns.length; start += DESCRIBE_CHUNK) {
    const chunk = arns.slice(start, start + DESCRIBE_CHUNK);
    const result = await ecs.send(new DescribeTasksCommand({ cluster, tasks: chunk, include: ["TAGS"] }));
    tasks.push(...(result.tasks ?? []));
  }
  return tasks;
}

const instanceOf = (task: Task) => task.tags?.find((tag) => tag.key === METADATA_KEY.instance)?.value;

export async function stopEcsSandboxes(
  ecs: ECSClient,
  target: EcsTarget,
  options: { readonly deadline: number },
): Promise<{ readonly stopped: number }> {
  const running = await describe(ecs, target.cluster, await listRunning(ecs, target.cluster));
  // The Hub's own service tasks carry no instance tag; another stack's Hub has another instance.
  const ours = running.filter((task) => instanceOf(task) === target.instance).map((task) => task.taskArn!);
  await forEachLimited(ours, 10, async (task) => {
    await ecs.send(new StopTaskCommand({ cluster: target.cluster, task, reason: STOP_REASON }));
  });
  // A task stopped more than an hour ago is no longer described (a failure, MISSING): gone as well.
  const notStopped = async () =>
    (await describe(ecs, target.cluster, ours)).filter((task) => task.lastStatus !== "STOPPED");
  await waitUntil(async () => (await notStopped()).length === 0, {
    deadline: options.deadline,
    describeRemaining: async () => {
      const left = await notStopped();
      return `${left.length} task(s) in ${target.cluster} not STOPPED yet: ${left.map((t) => `${t.taskArn} (${t.lastStatus})`).join(", ")}`;
    },
  });
  return { stopped: ours.length };
}
