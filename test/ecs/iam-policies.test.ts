import { describe, expect, it } from "vitest";
import {
  ECS_EXEC_TASK_ACTIONS,
  ecsTasksTrustPolicy,
  hubTaskRoleStatements,
  sandboxTaskRolePolicy,
  taskExecutionManagedPolicyArn,
  type PolicyStatement,
} from "../../components/ecs/iam-policies";
import { claimTags } from "../../hub-app/src/orchestrator/ecs/claim-tags";
import { METADATA_KEY } from "../../hub-app/src/orchestrator/metadata-keys";

const context = { partition: "aws", region: "eu-west-1", accountId: "123456789012" };
const ecsArn = "arn:aws:ecs:eu-west-1:123456789012";
const scope = {
  context,
  clusterArn: `${ecsArn}:cluster/sandboxes`,
  clusterName: "sandboxes",
  sandboxFamily: "sandbox-platform-dev-sandbox",
  sandboxExecutionRoleArn: "arn:aws:iam::123456789012:role/sandbox-execution",
  sandboxTaskRoleArn: "arn:aws:iam::123456789012:role/sandbox-task",
};

function statement(sid: string): PolicyStatement {
  const found = hubTaskRoleStatements(scope).find((s) => s.Sid === sid);
  if (!found) throw new Error(`no statement ${sid}`);
  return found;
}

describe("ecsTasksTrustPolicy", () => {
  it("lets only ECS tasks of this account and region assume the role", () => {
    const [trust, ...rest] = ecsTasksTrustPolicy(context).Statement;
    expect(rest).toEqual([]);
    expect(trust).toEqual({
      Effect: "Allow",
      Principal: { Service: "ecs-tasks.amazonaws.com" },
      Action: "sts:AssumeRole",
      Condition: {
        StringEquals: { "aws:SourceAccount": "123456789012" },
        ArnLike: { "aws:SourceArn": "arn:aws:ecs:eu-west-1:123456789012:*" },
      },
    });
  });
});

describe("sandboxTaskRolePolicy", () => {
  it("grants the four ECS Exec channel actions and nothing else", () => {
    const statements = sandboxTaskRolePolicy().Statement;
    expect(statements.flatMap((s) => s.Action).sort()).toEqual([
      "ssmmessages:CreateControlChannel",
      "ssmmessages:CreateDataChannel",
      "ssmmessages:OpenControlChannel",
      "ssmmessages:OpenDataChannel",
    ]);
    expect(ECS_EXEC_TASK_ACTIONS).toHaveLength(4);
  });
});

describe("taskExecutionManagedPolicyArn", () => {
  it("follows the partition", () => {
    expect(taskExecutionManagedPolicyArn("aws-cn")).toBe(
      "arn:aws-cn:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
    );
  });
});

describe("hubTaskRoleStatements", () => {
  const inThisCluster = { ArnEquals: { "ecs:cluster": scope.clusterArn } };

  it("has exactly these statements, no `*` action and no wildcard service", () => {
    const statements = hubTaskRoleStatements(scope);
    expect(statements.map((s) => s.Sid)).toEqual([
      "RunSandboxFamilyInCluster",
      "DescribeOwnCluster",
      "ManageTasksInCluster",
      "ListTasksInCluster",
      "TagSandboxTasksAtLaunch",
      "RetagRunningSandboxes",
      "ClaimWarmPoolMembers",
      "RegisterSandboxTaskDefinitions",
      "PassSandboxRolesToEcsTasks",
    ]);
    for (const action of statements.flatMap((s) => s.Action)) {
      expect(action).toMatch(/^(ecs|iam):[A-Za-z]+$/);
    }
  });

  it("runs only revisions of the sandbox family, in this cluster", () => {
    expect(statement("RunSandboxFamilyInCluster")).toEqual({
      Sid: "RunSandboxFamilyInCluster",
      Effect: "Allow",
      Action: ["ecs:RunTask"],
      Resource: `${ecsArn}:task-definition/sandbox-platform-dev-sandbox:*`,
      Condition: inThisCluster,
    });
  });

  it("describes its own cluster only (the Hub's readiness check)", () => {
    expect(statement("DescribeOwnCluster")).toEqual({
      Sid: "DescribeOwnCluster",
      Effect: "Allow",
      Action: ["ecs:DescribeClusters"],
      Resource: scope.clusterArn,
    });
  });

  it("describes, execs into and stops only tasks of this cluster", () => {
    expect(statement("ManageTasksInCluster")).toEqual({
      Sid: "ManageTasksInCluster",
      Effect: "Allow",
      Action: ["ecs:DescribeTasks", "ecs:ExecuteCommand", "ecs:StopTask"],
      Resource: [scope.clusterArn, `${ecsArn}:task/sandboxes/*`],
      Condition: inThisCluster,
    });
  });

  it("lists tasks only in this cluster", () => {
    expect(statement("ListTasksInCluster")).toMatchObject({
      Action: ["ecs:ListTasks"],
      Resource: "*",
      Condition: inThisCluster,
    });
  });

  it("tags only this cluster's tasks, and only while launching them", () => {
    expect(statement("TagSandboxTasksAtLaunch")).toMatchObject({
      Action: ["ecs:TagResource"],
      Resource: `${ecsArn}:task/sandboxes/*`,
      Condition: { StringEquals: { "ecs:CreateAction": "RunTask" } },
    });
  });

  it("re-tags only this cluster's tasks, and only the keys an expiry move or a claim writes", () => {
    expect(statement("RetagRunningSandboxes")).toMatchObject({
      Action: ["ecs:TagResource"],
      Resource: `${ecsArn}:task/sandboxes/*`,
      Condition: {
        "ForAllValues:StringLike": {
          "aws:TagKeys": [
            METADATA_KEY.expiresAt,
            METADATA_KEY.createdAt,
            METADATA_KEY.ports,
            `${METADATA_KEY.env}-*`,
          ],
        },
        Null: { "aws:TagKeys": "false" },
      },
    });
  });

  it("covers every tag a warm-pool claim writes (the Hub's own claimTags), and none that says whose it is", () => {
    const allowed = (
      statement("RetagRunningSandboxes").Condition!["ForAllValues:StringLike"]!["aws:TagKeys"] as string[]
    ).map(
      (pattern) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\/]/g, "\\$&").replace(/\*/g, ".*")}$`),
    );
    const claim = {
      createdAt: new Date("2030-01-01T00:00:00Z"),
      expiresAt: new Date("2030-01-01T01:00:00Z"),
      ports: [3000, 8000],
      // Big enough to need several env tags.
      env: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`VAR_${i}`, "x".repeat(40)])),
    };
    const written = claimTags(claim as never, 10)!.map((tag) => tag.key!);
    expect(written.filter((key) => key.startsWith(`${METADATA_KEY.env}-`)).length).toBeGreaterThan(1);
    expect(written.filter((key) => !allowed.some((pattern) => pattern.test(key)))).toEqual([]);
    for (const identity of [METADATA_KEY.instance, METADATA_KEY.id, METADATA_KEY.warmPool]) {
      expect(
        allowed.some((pattern) => pattern.test(identity)),
        identity,
      ).toBe(false);
    }
  });

  it("untags only the two keys a claim removes, on this cluster's tasks", () => {
    expect(statement("ClaimWarmPoolMembers")).toMatchObject({
      Action: ["ecs:UntagResource"],
      Resource: `${ecsArn}:task/sandboxes/*`,
      Condition: {
        "ForAllValues:StringEquals": { "aws:TagKeys": [METADATA_KEY.warmPool, METADATA_KEY.warmOwner] },
        Null: { "aws:TagKeys": "false" },
      },
    });
  });

  it("keeps the unscopable task-definition actions to the three the Hub needs", () => {
    const register = statement("RegisterSandboxTaskDefinitions");
    expect(register.Action).toEqual([
      "ecs:DescribeTaskDefinition",
      "ecs:ListTaskDefinitions",
      "ecs:RegisterTaskDefinition",
    ]);
    expect(register.Resource).toBe("*");
  });

  it("passes only the two sandbox roles, and only to ECS tasks", () => {
    expect(statement("PassSandboxRolesToEcsTasks")).toEqual({
      Sid: "PassSandboxRolesToEcsTasks",
      Effect: "Allow",
      Action: ["iam:PassRole"],
      Resource: [scope.sandboxExecutionRoleArn, scope.sandboxTaskRoleArn],
      Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
    });
  });

  it("gives the Hub no ssmmessages rights: ExecuteCommand's session token is enough", () => {
    const actions = hubTaskRoleStatements(scope).flatMap((s) => s.Action);
    expect(actions.filter((a) => a.startsWith("ssmmessages:"))).toEqual([]);
  });

  it("leaves `*` resources only where IAM offers no scoping, each with a reason", () => {
    const unscoped = hubTaskRoleStatements(scope).filter((s) => s.Resource === "*");
    expect(unscoped.map((s) => [s.Sid, s.Condition !== undefined])).toEqual([
      ["ListTasksInCluster", true],
      ["RegisterSandboxTaskDefinitions", false],
    ]);
  });
});
