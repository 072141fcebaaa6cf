/**
 * The ECS task calls behind the orchestrator: RunTask, DescribeTasks, ListTasks, StopTask,
 * each through callEcs (throttling retried, errors mapped).
 *
 * Finding a task by sandbox id: ids are chosen by the Hub before the task exists, so they
 * cannot encode the ECS task id. The id lives in the `sandbox.hub/id` tag; a map id -> task
 * ARN is filled by create and by every list, and on a miss (a restarted Hub, another replica's
 * sandbox) this Hub's tasks are listed by `startedBy` and matched by tag. Correct without
 * state, cheap on the hot path (run, files).
 */
import {
  DescribeTasksCommand,
  ListTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  TagResourceCommand,
  type DesiredStatus,
  type ECSClient,
  type RunTaskCommandInput,
  type Task,
} from "@aws-sdk/client-ecs";
import { HubError } from "../../errors.js";
import { callEcs } from "./errors.js";
import type { EcsSettings } from "./settings.js";
import { HUB_STOP_REASON, TAG, startedByMarker, tagValue } from "./task-info.js";

/** DescribeTasks takes at most 100 tasks per call (ECS API reference). */
const DESCRIBE_CHUNK = 100;

/** How long callers should wait after Fargate had no capacity (its ENI/capacity shortages pass in seconds). */
export const NO_CAPACITY_RETRY_AFTER_SECONDS = 10;

export class SandboxTasks {
  private readonly arnById = new Map<string, string>();
  private readonly startedBy: string;

  constructor(
    private readonly ecs: ECSClient,
    private readonly settings: Pick<EcsSettings, "cluster">,
    private readonly instance: string,
  ) {
    this.startedBy = startedByMarker(instance);
  }

  /** Starts the task; RunTask `failures` (no ENI, no Fargate capacity, quota) become no_capacity. */
  async run(id: string, input: RunTaskCommandInput): Promise<Task> {
    const result = await callEcs("RunTask", () => this.ecs.send(new RunTaskCommand(input)));
    const task = result.tasks?.[0];
    if (task?.taskArn === undefined) {
      const reasons = (result.failures ?? []).map((f) => [f.reason, f.detail].filter(Boolean).join(" "));
      throw new HubError(
        "no_capacity",
        `ECS could not start the sandbox: ${reasons.join("; ") || "no task and no failure reported"}`,
        NO_CAPACITY_RETRY_AFTER_SECONDS,
      );
    }
    this.arnById.set(id, task.taskArn);
    return task;
  }

  /** Tasks with their tags, in chunks of 100; unknown ARNs are skipped. */
  async describe(taskArns: readonly string[]): Promise<Task[]> {
    const tasks: Task[] = [];
    for (let start = 0; start < taskArns.length; start += DESCRIBE_CHUNK) {
      const chunk = taskArns.slice(start, start + DESCRIBE_CHUNK);
      const result = await callEcs("DescribeTasks", () =>
        this.ecs.send(
          new DescribeTasksCommand({ cluster: this.settings.cluster, tasks: chunk, include: ["TAGS"] }),
        ),
      );
      tasks.push(...(result.tasks ?? []));
    }
    return tasks;
  }

  /** This Hub's tasks with the given desired status (RUNNING includes those still starting). */
  async listMine(desiredStatus: DesiredStatus = "RUNNING"): Promise<Task[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await callEcs("ListTasks", () =>
        this.ecs.send(
          new ListTasksCommand({
            cluster: this.settings.cluster,
            startedBy: this.startedBy,
            desiredStatus,
            nextToken,
          }),
        ),
      );
      arns.push(...(page.taskArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    const tasks = (await this.describe(arns)).filter(
      (task) => tagValue(task, TAG.instance) === this.instance,
    );
    for (const task of tasks) this.remember(task);
    return tasks;
  }

  /** The task ARN this Hub last saw for sandbox `id`, without asking ECS. */
  knownArn(id: string): string | undefined {
    return this.arnById.get(id);
  }

  /** The task of sandbox `id`, running or stopped, or undefined. */
  async find(id: string): Promise<Task | undefined> {
    const known = this.arnById.get(id);
    if (known !== undefined) {
      const [task] = await this.describe([known]);
      if (task !== undefined && this.isSandbox(task, id)) return task;
      this.arnById.delete(id);
    }
    // Stopped tasks stay visible for about an hour; a failed sandbox must still be found.
    for (const status of ["RUNNING", "STOPPED"] as const) {
      const task = (await this.listMine(status)).find((t) => this.isSandbox(t, id));
      if (task !== undefined) return task;
    }
    return undefined;
  }

  async stop(task: Task): Promise<void> {
    if (task.taskArn === undefined) return;
    const arn = task.taskArn;
    await callEcs("StopTask", () =>
      this.ecs.send(
        new StopTaskCommand({ cluster: this.settings.cluster, task: arn, reason: HUB_STOP_REASON }),
      ),
    );
  }

  /** Sets one tag of a running task; answers the task as it now reads. */
  async retag(task: Task, key: string, value: string): Promise<Task> {
    if (task.taskArn === undefined) return task;
    const arn = task.taskArn;
    await callEcs("TagResource", () =>
      this.ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key, value }] })),
    );
    return { ...task, tags: [...(task.tags ?? []).filter((tag) => tag.key !== key), { key, value }] };
  }

  private isSandbox(task: Task, id: string): boolean {
    return tagValue(task, TAG.instance) === this.instance && tagValue(task, TAG.id) === id;
  }

  /** Records the task's ARN under its sandbox id, so commands reach it without a lookup. */
  remember(task: Task): void {
    const id = tagValue(task, TAG.id);
    if (id !== undefined && task.taskArn !== undefined) this.arnById.set(id, task.taskArn);
  }
}
