/**
 * Every IAM document of the ECS candidate, as pure functions of plain strings so each
 * statement is tested on its own. Action and condition-key names follow the AWS Service
 * Authorization Reference, "Actions, resources, and condition keys for Amazon ECS".
 */
import { METADATA_KEY } from "../../hub-app/src/orchestrator/metadata-keys";
import type { AwsContext } from "./aws-context";

/**
 * Tags the Hub may write on a running sandbox: the expiry (PATCH /v1/containers/:id), and what a
 * warm-pool claim writes (hub-app/src/orchestrator/ecs/claim-tags.ts: created-at, expires-at, ports,
 * the env in `env-00`, `env-01`, ...). Never the instance or id tags that say whose sandbox it is.
 */
export const RETAGGABLE_TAG_PATTERNS = [
  METADATA_KEY.expiresAt,
  METADATA_KEY.createdAt,
  METADATA_KEY.ports,
  `${METADATA_KEY.env}-*`,
] as const;
/** Tags a claim removes, turning a warm-pool member into a student's sandbox. */
export const CLAIM_REMOVED_TAGS = [METADATA_KEY.warmPool, METADATA_KEY.warmOwner] as const;

export type Condition = Record<string, Record<string, string | string[]>>;

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow";
  readonly Action: string[];
  readonly Resource: string | string[];
  readonly Condition?: Condition;
}

export interface TrustStatement {
  readonly Effect: "Allow";
  readonly Principal: { Service: string };
  readonly Action: "sts:AssumeRole";
  readonly Condition: Condition;
}

export interface PolicyDocument<S> {
  readonly Version: "2012-10-17";
  readonly Statement: S[];
}

export const ECS_TASKS_PRINCIPAL = "ecs-tasks.amazonaws.com";

/** The channels the SSM agent inside a task opens for ECS Exec (AWS docs: "Monitor Amazon ECS containers with ECS Exec", IAM permissions). */
export const ECS_EXEC_TASK_ACTIONS = [
  "ssmmessages:CreateControlChannel",
  "ssmmessages:CreateDataChannel",
  "ssmmessages:OpenControlChannel",
  "ssmmessages:OpenDataChannel",
] as const;

export function document<S>(statements: S[]): PolicyDocument<S> {
  return { Version: "2012-10-17", Statement: statements };
}

export function taskExecutionManagedPolicyArn(partition: string): string {
  return `arn:${partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy`;
}

/**
 * Trust for ECS tasks, limited to tasks of this account and region so another account's
 * task cannot be handed the role (confused deputy; AWS docs: "Amazon ECS task execution IAM role").
 */
export function ecsTasksTrustPolicy(context: AwsContext): PolicyDocument<TrustStatement> {
  return document([
    {
      Effect: "Allow",
      Principal: { Service: ECS_TASKS_PRINCIPAL },
      Action: "sts:AssumeRole",
      Condition: {
        StringEquals: { "aws:SourceAccount": context.accountId },
        ArnLike: { "aws:SourceArn": `arn:${context.partition}:ecs:${context.region}:${context.accountId}:*` },
      },
    },
  ]);
}

/**
 * The sandbox task role: nothing but the ECS Exec channels. ssmmessages has no resource
 * types, so "*" is the only possible resource. Sandboxes reach this role's credentials through
 * the task metadata endpoint (169.254.170.2); on Fargate there is no instance role to steal.
 */
export function sandboxTaskRolePolicy(): PolicyDocument<PolicyStatement> {
  return document([
    { Sid: "EcsExecChannels", Effect: "Allow", Action: [...ECS_EXEC_TASK_ACTIONS], Resource: "*" },
  ]);
}

export interface HubTaskRoleScope {
  readonly context: AwsContext;
  readonly clusterArn: string;
  readonly clusterName: string;
  /** The sandbox task-definition family; the Hub may run only revisions of it. */
  readonly sandboxFamily: string;
  readonly sandboxExecutionRoleArn: string;
  readonly sandboxTaskRoleArn: string;
}

/**
 * What the Hub on ECS may do: check its cluster, run, watch, exec into and stop sandbox tasks of
 * its own family in its own cluster, register task definitions for other images, and hand
 * sandboxes their two roles. The Hub needs no ssmmessages rights: ecs:ExecuteCommand returns a session URL
 * and token, and the Hub speaks to that URL with the token, not with IAM.
 */
export function hubTaskRoleStatements(scope: HubTaskRoleScope): PolicyStatement[] {
  const { partition, region, accountId } = scope.context;
  const ecsArn = `arn:${partition}:ecs:${region}:${accountId}`;
  const inThisCluster: Condition = { ArnEquals: { "ecs:cluster": scope.clusterArn } };
  const clusterTasks = `${ecsArn}:task/${scope.clusterName}/*`;
  return [
    {
      Sid: "RunSandboxFamilyInCluster",
      Effect: "Allow",
      Action: ["ecs:RunTask"],
      Resource: `${ecsArn}:task-definition/${scope.sandboxFamily}:*`,
      Condition: inThisCluster,
    },
    {
      Sid: "DescribeOwnCluster",
      Effect: "Allow",
      // The Hub's readiness check: is its cluster ACTIVE?
      Action: ["ecs:DescribeClusters"],
      Resource: scope.clusterArn,
    },
    {
      Sid: "ManageTasksInCluster",
      Effect: "Allow",
      Action: ["ecs:DescribeTasks", "ecs:ExecuteCommand", "ecs:StopTask"],
      // ExecuteCommand authorizes against both the cluster and the task (ECS Exec docs, "Limiting access").
      Resource: [scope.clusterArn, clusterTasks],
      Condition: inThisCluster,
    },
    {
      Sid: "ListTasksInCluster",
      Effect: "Allow",
      Action: ["ecs:ListTasks"],
      // ListTasks has no task resource; the ecs:cluster condition is what scopes it.
      Resource: "*",
      Condition: inThisCluster,
    },
    {
      Sid: "TagSandboxTasksAtLaunch",
      Effect: "Allow",
      Action: ["ecs:TagResource"],
      // TagResource carries no ecs:cluster key; tags are allowed only as part of RunTask.
      Resource: clusterTasks,
      Condition: { StringEquals: { "ecs:CreateAction": "RunTask" } },
    },
    {
      Sid: "RetagRunningSandboxes",
      Effect: "Allow",
      Action: ["ecs:TagResource"],
      // Moving an expiry, claiming a warm member: only these keys (aws:TagKeys, ECS service authorization reference).
      Resource: clusterTasks,
      Condition: {
        "ForAllValues:StringLike": { "aws:TagKeys": [...RETAGGABLE_TAG_PATTERNS] },
        Null: { "aws:TagKeys": "false" },
      },
    },
    {
      Sid: "ClaimWarmPoolMembers",
      Effect: "Allow",
      Action: ["ecs:UntagResource"],
      Resource: clusterTasks,
      Condition: {
        "ForAllValues:StringEquals": { "aws:TagKeys": [...CLAIM_REMOVED_TAGS] },
        Null: { "aws:TagKeys": "false" },
      },
    },
    {
      Sid: "RegisterSandboxTaskDefinitions",
      Effect: "Allow",
      Action: ["ecs:DescribeTaskDefinition", "ecs:ListTaskDefinitions", "ecs:RegisterTaskDefinition"],
      // These three accept no resource-level scoping; RunTask above is what limits use to the family.
      Resource: "*",
    },
    {
      Sid: "PassSandboxRolesToEcsTasks",
      Effect: "Allow",
      Action: ["iam:PassRole"],
      Resource: [scope.sandboxExecutionRoleArn, scope.sandboxTaskRoleArn],
      Condition: { StringEquals: { "iam:PassedToService": ECS_TASKS_PRINCIPAL } },
    },
  ];
}

export function hubTaskRolePolicy(scope: HubTaskRoleScope): PolicyDocument<PolicyStatement> {
  return document(hubTaskRoleStatements(scope));
}
