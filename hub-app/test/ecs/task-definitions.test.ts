import {
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type TaskDefinition,
} from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { definitionServes, sandboxTaskDefinitionInput } from "../../src/orchestrator/ecs/task-definitions.js";
import { containerSpec, ecsSettings, mockedOrchestrator, sandboxTask } from "./fixtures.js";

const FAMILY_ARN = "arn:aws:ecs:eu-west-1:123456789012:task-definition/hub-sandbox";
const settings = ecsSettings();

/** A registered revision as DescribeTaskDefinition returns it. */
function registered(revision: number, image: string, cpu: number, memory: number): TaskDefinition {
  const input = sandboxTaskDefinitionInput(settings, { image, cpuUnits: cpu, memoryMiB: memory });
  return { ...input, taskDefinitionArn: `${FAMILY_ARN}:${revision}`, revision, status: "ACTIVE" };
}

function answerRunTask(ecsMock: ReturnType<typeof mockedOrchestrator>["ecsMock"]): void {
  ecsMock.on(RunTaskCommand).callsFake((input: { tags: { key: string; value: string }[] }) => {
    const id = input.tags.find((t) => t.key === "sandbox.hub/id")!.value;
    return { tasks: [sandboxTask(id, "provisioning")], failures: [] };
  });
}

describe("sandbox task definitions", () => {
  it("registers a Fargate definition with the roles, awslogs, an init process and a keep-alive command", async () => {
    const { orchestrator, ecsMock } = mockedOrchestrator();
    ecsMock.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [] });
    ecsMock
      .on(RegisterTaskDefinitionCommand)
      .resolves({ taskDefinition: { taskDefinitionArn: `${FAMILY_ARN}:1` } });
    answerRunTask(ecsMock);

    await orchestrator.create(containerSpec({ cpu: 0.1, memoryMiB: 128 }));

    const [register] = ecsMock.commandCalls(RegisterTaskDefinitionCommand);
    expect(register!.args[0].input).toMatchObject({
      family: "hub-sandbox",
      executionRoleArn: "arn:aws:iam::123456789012:role/sandbox-execution",
      taskRoleArn: "arn:aws:iam::123456789012:role/sandbox-task",
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      cpu: "256",
      memory: "512",
      containerDefinitions: [
        {
          name: "sandbox",
          image: "public.ecr.aws/docker/library/python:3.12-slim",
          essential: true,
          entryPoint: ["sh", "-c"],
          command: [expect.stringContaining("sleep")],
          readonlyRootFilesystem: false,
          linuxParameters: { initProcessEnabled: true },
          logConfiguration: {
            logDriver: "awslogs",
            options: {
              "awslogs-group": "/hub/test",
              "awslogs-region": "eu-west-1",
              "awslogs-stream-prefix": "sandbox",
            },
          },
        },
      ],
    });
    expect(ecsMock.commandCalls(ListTaskDefinitionsCommand)[0]!.args[0].input).toMatchObject({
      familyPrefix: "hub-sandbox",
      status: "ACTIVE",
      sort: "DESC",
    });
    expect(ecsMock.commandCalls(RunTaskCommand)[0]!.args[0].input.taskDefinition).toBe(`${FAMILY_ARN}:1`);
  });

  it("registers once for concurrent creates of the same size, and again for a new size", async () => {
    const { orchestrator, ecsMock } = mockedOrchestrator();
    ecsMock.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [] });
    let revision = 0;
    ecsMock
      .on(RegisterTaskDefinitionCommand)
      .callsFake(() => ({ taskDefinition: { taskDefinitionArn: `${FAMILY_ARN}:${++revision}` } }));
    answerRunTask(ecsMock);

    // 0.1/128 and 0.25/512 round to the same Fargate size.
    const sameSize = ["cnt-aaaaa", "cnt-bbbbb", "cnt-ccccc", "cnt-ddddd"].map((id, index) =>
      orchestrator.create(
        containerSpec({ id, cpu: index % 2 === 0 ? 0.1 : 0.25, memoryMiB: index % 2 === 0 ? 128 : 512 }),
      ),
    );
    await Promise.all(sameSize);
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(1);
    expect(ecsMock.commandCalls(ListTaskDefinitionsCommand)).toHaveLength(1);
    const used = ecsMock.commandCalls(RunTaskCommand).map((call) => call.args[0].input.taskDefinition);
    expect(new Set(used)).toEqual(new Set([`${FAMILY_ARN}:1`]));

    await orchestrator.create(containerSpec({ id: "cnt-eeeee", cpu: 1, memoryMiB: 2048 }));
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(2);
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)[1]!.args[0].input).toMatchObject({
      cpu: "1024",
      memory: "2048",
    });
  });

  it("reuses a revision registered before this Hub started instead of registering a duplicate", async () => {
    const { orchestrator, ecsMock } = mockedOrchestrator();
    const revisions = [
      registered(3, "node:22", 256, 512), // other image
      registered(2, "public.ecr.aws/docker/library/python:3.12-slim", 512, 1024), // other size
      registered(1, "public.ecr.aws/docker/library/python:3.12-slim", 256, 512), // the one
    ];
    ecsMock
      .on(ListTaskDefinitionsCommand)
      .resolvesOnce({ taskDefinitionArns: [revisions[0]!.taskDefinitionArn!], nextToken: "page-2" })
      .resolves({ taskDefinitionArns: revisions.slice(1).map((r) => r.taskDefinitionArn!) });
    ecsMock.on(DescribeTaskDefinitionCommand).callsFake((input: { taskDefinition: string }) => ({
      taskDefinition: revisions.find((r) => r.taskDefinitionArn === input.taskDefinition),
    }));
    answerRunTask(ecsMock);

    await Promise.all([
      orchestrator.create(containerSpec()),
      orchestrator.create(containerSpec({ id: "cnt-other" })),
    ]);

    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
    expect(ecsMock.commandCalls(ListTaskDefinitionsCommand)[1]!.args[0].input.nextToken).toBe("page-2");
    expect(ecsMock.commandCalls(RunTaskCommand).map((c) => c.args[0].input.taskDefinition)).toEqual([
      `${FAMILY_ARN}:1`,
      `${FAMILY_ARN}:1`,
    ]);
    // Each revision described once, even with two creates looking.
    expect(ecsMock.commandCalls(DescribeTaskDefinitionCommand)).toHaveLength(3);
  });

  it("tries again after a failed registration instead of caching the failure", async () => {
    const { orchestrator, ecsMock } = mockedOrchestrator();
    ecsMock.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [] });
    ecsMock
      .on(RegisterTaskDefinitionCommand)
      .rejectsOnce(Object.assign(new Error("boom"), { name: "ServerException", $metadata: {} }))
      .resolves({ taskDefinition: { taskDefinitionArn: `${FAMILY_ARN}:1` } });
    answerRunTask(ecsMock);

    await expect(orchestrator.create(containerSpec())).rejects.toMatchObject({
      code: "orchestrator_unavailable",
    });
    await expect(orchestrator.create(containerSpec())).resolves.toMatchObject({ id: "cnt-abc12" });
  });

  it("serves a key only from a definition with the same image, size, roles and an init process", () => {
    const key = { image: "python:3.12", cpuUnits: 256, memoryMiB: 512 };
    const good = registered(1, key.image, 256, 512);
    expect(definitionServes(good, settings, key)).toBe(true);
    expect(definitionServes({ ...good, memory: "1024" }, settings, key)).toBe(false);
    expect(
      definitionServes({ ...good, taskRoleArn: "arn:aws:iam::123456789012:role/admin" }, settings, key),
    ).toBe(false);
    expect(definitionServes({ ...good, family: "hub-sandbox-other" }, settings, key)).toBe(false);
    expect(definitionServes({ ...good, status: "INACTIVE" }, settings, key)).toBe(false);
    const noInit = {
      ...good,
      containerDefinitions: [{ ...good.containerDefinitions![0], linuxParameters: {} }],
    };
    expect(definitionServes(noInit, settings, key)).toBe(false);
  });
});
