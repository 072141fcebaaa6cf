/**
 * A stateful in-memory ECS behind aws-sdk-client-mock, for tests where several Hub replicas share
 * one cluster: RunTask, DescribeTasks (with tags), ListTasks (startedBy, desiredStatus, pages),
 * StopTask, TagResource and UntagResource (last writer wins, as ECS does: no conditions), task
 * definitions, DescribeClusters, and ExecuteCommand through a FakeSsmAgent that really runs the
 * command. A task is PROVISIONING when started and RUNNING with its exec agent after
 * `describesUntilReady` DescribeTasks calls that saw it, as Fargate tasks come up over time.
 */
import {
  DescribeClustersCommand,
  DescribeTasksCommand,
  ECSClient,
  ExecuteCommandCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type RunTaskCommandInput,
  type Tag,
  type Task,
} from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import type { FakeSsmAgent } from "./fake-ssm-agent.js";

const ACCOUNT = "123456789012";
const LIST_PAGE = 100;

export class FakeEcs {
  readonly client = new ECSClient({ region: "eu-west-1" });
  readonly mock = mockClient(this.client);
  readonly tasks = new Map<string, Task>();
  readonly calls: { name: string; input: unknown }[] = [];
  describesUntilReady = 1;
  /**
   * The private IPv4 address of a task's ENI once it runs (none by default, as the tests that do
   * not proxy need none). A port-URL test returns a loopback address where its own server listens.
   */
  privateIp: ((task: Task) => string) | undefined;
  private readonly describes = new Map<string, number>();
  private next = 0;

  constructor(
    readonly cluster: string,
    agent?: FakeSsmAgent,
  ) {
    const { mock } = this;
    mock.on(DescribeClustersCommand).resolves({ clusters: [{ clusterName: cluster, status: "ACTIVE" }] });
    mock.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [] });
    mock.on(RegisterTaskDefinitionCommand).resolves({
      taskDefinition: { taskDefinitionArn: `arn:aws:ecs:eu-west-1:${ACCOUNT}:task-definition/hub-sandbox:1` },
    });
    mock.on(RunTaskCommand).callsFake((input: RunTaskCommandInput) => this.run(input));
    mock.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => this.describe(input.tasks));
    mock
      .on(ListTasksCommand)
      .callsFake((input: { startedBy?: string; desiredStatus?: string; nextToken?: string }) =>
        this.list(input),
      );
    mock
      .on(StopTaskCommand)
      .callsFake((input: { task: string; reason?: string }) => this.stop(input.task, input.reason));
    mock.on(TagResourceCommand).callsFake((input: { resourceArn: string; tags: Tag[] }) => {
      this.record("TagResource", input);
      const task = this.require(input.resourceArn);
      const keys = new Set(input.tags.map((tag) => tag.key));
      task.tags = [...(task.tags ?? []).filter((tag) => !keys.has(tag.key)), ...input.tags];
      return {};
    });
    mock.on(UntagResourceCommand).callsFake((input: { resourceArn: string; tagKeys: string[] }) => {
      this.record("UntagResource", input);
      const task = this.require(input.resourceArn);
      task.tags = (task.tags ?? []).filter((tag) => !input.tagKeys.includes(tag.key ?? ""));
      return {};
    });
    if (agent !== undefined) {
      mock.on(ExecuteCommandCommand).callsFake((input: { command: string; task: string }) => ({
        session: {
          sessionId: `s-${this.next++}`,
          ...agent.prepare(input.command, this.containerEnv(input.task)),
        },
      }));
    }
  }

  /** A task the test adds itself (e.g. a Hub replica's own task, to be stopped later). */
  addTask(task: Task): void {
    this.tasks.set(task.taskArn!, task);
  }

  count(name: string): number {
    return this.calls.filter((call) => call.name === name).length;
  }

  /** Tasks with `key` among their tags, not stopped. */
  running(key: string): Task[] {
    return [...this.tasks.values()].filter(
      (task) => task.desiredStatus === "RUNNING" && (task.tags ?? []).some((tag) => tag.key === key),
    );
  }

  /** The env RunTask's overrides gave the sandbox container: what an exec session in it starts with. */
  private containerEnv(arn: string): Record<string, string> {
    const overrides = this.tasks.get(arn)?.overrides?.containerOverrides ?? [];
    const environment = overrides.find((container) => container.name === "sandbox")?.environment ?? [];
    return Object.fromEntries(environment.map((variable) => [variable.name ?? "", variable.value ?? ""]));
  }

  private record(name: string, input: unknown): void {
    this.calls.push({ name, input });
  }

  private require(arn: string): Task {
    const task = this.tasks.get(arn);
    if (task === undefined)
      throw Object.assign(new Error(`no task ${arn}`), { name: "InvalidParameterException" });
    return task;
  }

  private run(input: RunTaskCommandInput) {
    this.record("RunTask", input);
    const arn = `arn:aws:ecs:eu-west-1:${ACCOUNT}:task/${this.cluster}/${(this.next++).toString(16).padStart(32, "0")}`;
    const task: Task = {
      taskArn: arn,
      clusterArn: `arn:aws:ecs:eu-west-1:${ACCOUNT}:cluster/${this.cluster}`,
      tags: [...(input.tags ?? [])],
      startedBy: input.startedBy,
      ...(input.overrides === undefined ? {} : { overrides: input.overrides }),
      createdAt: new Date(),
      desiredStatus: "RUNNING",
      lastStatus: "PROVISIONING",
      cpu: "256",
      memory: "512",
      containers: [
        { name: "sandbox", image: "public.ecr.aws/docker/library/python:3.12-slim", lastStatus: "PENDING" },
      ],
    };
    this.tasks.set(arn, task);
    return { tasks: [structuredClone(task)], failures: [] };
  }

  private describe(arns: readonly string[]) {
    this.record("DescribeTasks", { tasks: arns });
    const tasks: Task[] = [];
    const failures: { arn: string; reason: string }[] = [];
    for (const arn of arns) {
      const task = this.tasks.get(arn);
      if (task === undefined) {
        failures.push({ arn, reason: "MISSING" });
        continue;
      }
      const seen = (this.describes.get(arn) ?? 0) + 1;
      this.describes.set(arn, seen);
      if (task.lastStatus === "PROVISIONING" && seen >= this.describesUntilReady) this.becomeReady(task);
      tasks.push(structuredClone(task));
    }
    return { tasks, failures };
  }

  private becomeReady(task: Task): void {
    task.lastStatus = "RUNNING";
    const ip = this.privateIp?.(task);
    if (ip !== undefined) {
      // The awsvpc attachment as DescribeTasks shows it (Task.attachments in the ECS API reference).
      task.attachments = [
        {
          type: "ElasticNetworkInterface",
          status: "ATTACHED",
          details: [{ name: "privateIPv4Address", value: ip }],
        },
      ];
    }
    task.startedAt = new Date();
    task.containers = [
      {
        name: "sandbox",
        image: task.containers?.[0]?.image,
        lastStatus: "RUNNING",
        managedAgents: [{ name: "ExecuteCommandAgent", lastStatus: "RUNNING" }],
      },
    ];
  }

  private list(input: { startedBy?: string; desiredStatus?: string; nextToken?: string }) {
    this.record("ListTasks", input);
    const wanted = input.desiredStatus ?? "RUNNING";
    const arns = [...this.tasks.values()]
      .filter((task) => task.desiredStatus === wanted)
      .filter((task) => input.startedBy === undefined || task.startedBy === input.startedBy)
      .map((task) => task.taskArn!);
    const start = Number(input.nextToken ?? "0");
    const page = arns.slice(start, start + LIST_PAGE);
    const next = start + LIST_PAGE < arns.length ? String(start + LIST_PAGE) : undefined;
    return { taskArns: page, ...(next === undefined ? {} : { nextToken: next }) };
  }

  private stop(arn: string, reason: string | undefined) {
    this.record("StopTask", { task: arn, reason });
    const task = this.require(arn);
    task.desiredStatus = "STOPPED";
    task.lastStatus = "STOPPED";
    task.stoppedReason = reason;
    task.stopCode = "UserInitiated";
    return { task: structuredClone(task) };
  }
}
