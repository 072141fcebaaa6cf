import { z } from "zod";

/** Comma list -> trimmed non-empty items, each checked against `pattern`. */
function commaList(what: string, pattern: RegExp, example: string) {
  return z
    .string({ error: `required: a comma-separated list of ${what} (e.g. ${example})` })
    .transform((value, ctx) => {
      const items = value
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item !== "");
      if (items.length === 0) ctx.addIssue({ code: "custom", message: `needs at least one of ${what}` });
      const bad = items.filter((item) => !pattern.test(item));
      if (bad.length > 0) {
        ctx.addIssue({
          code: "custom",
          message: `not ${what}: ${bad.join(", ")} (expected like ${example})`,
        });
      }
      return items;
    });
}

const required = (what: string) =>
  z
    .string({ error: `required: ${what}` })
    .trim()
    .min(1, `required: ${what}`);

const roleArn = (what: string) =>
  required(what).regex(
    /^arn:aws[a-z-]*:iam::\d{12}:role\/\S+$/,
    `${what} must be an IAM role ARN like arn:aws:iam::123456789012:role/name`,
  );

const booleanFlag = z
  .enum(["true", "false", "1", "0"], { error: "must be true, false, 1 or 0" })
  .default("false")
  .transform((value) => value === "true" || value === "1");

const positiveInt = (fallback: number, min: number) =>
  z.coerce
    .number({ error: "must be an integer" })
    .int("must be an integer")
    .min(min, `must be at least ${min}`)
    .default(fallback);

/** The ECS orchestrator's environment (names shared with the infrastructure's hubEnvironment). */
export const ecsEnvSchema = z
  .object({
    AWS_REGION: required("the AWS region, e.g. eu-west-1")
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be an AWS region like eu-west-1")
      .describe("e.g. `eu-west-1`"),
    HUB_ECS_CLUSTER: required("the ECS cluster name or ARN sandboxes run in").describe(
      "cluster name or ARN sandboxes run in",
    ),
    HUB_ECS_SUBNETS: commaList("subnet ids", /^subnet-[0-9a-f]+$/, "subnet-0abc,subnet-0def").describe(
      "comma list of subnet ids for sandbox tasks",
    ),
    HUB_ECS_SECURITY_GROUPS: commaList("security group ids", /^sg-[0-9a-f]+$/, "sg-0abc").describe(
      "comma list of security group ids for sandbox tasks",
    ),
    HUB_ECS_TASK_FAMILY: required("the sandbox task definition family")
      .regex(
        /^[A-Za-z0-9_-]{1,255}$/,
        "must be 1-255 letters, digits, hyphens or underscores (ECS family name rules)",
      )
      .describe(
        "the sandbox task-definition family; definitions for other images and sizes are registered in it",
      ),
    HUB_ECS_EXECUTION_ROLE_ARN: roleArn("HUB_ECS_EXECUTION_ROLE_ARN").describe(
      "sandbox execution role (image pull, logs)",
    ),
    HUB_ECS_TASK_ROLE_ARN: roleArn("HUB_ECS_TASK_ROLE_ARN").describe(
      "sandbox task role (ECS Exec channels only)",
    ),
    HUB_ECS_LOG_GROUP: required("the CloudWatch log group sandboxes log to").describe(
      "CloudWatch log group of sandbox tasks",
    ),
    HUB_ECS_ASSIGN_PUBLIC_IP: booleanFlag.describe(
      "`true`/`false`/`1`/`0`; `false` needs a NAT gateway or endpoints for image pulls",
    ),
    HUB_ECS_CAPACITY_PROVIDER: z
      .enum(["FARGATE", "FARGATE_SPOT"], { error: "must be FARGATE or FARGATE_SPOT" })
      .default("FARGATE")
      .describe("`FARGATE` or `FARGATE_SPOT`"),
    HUB_ECS_WORKDIR: z
      .string()
      .regex(/^\/[A-Za-z0-9._/-]*$/, "must be an absolute path of letters, digits, '.', '_', '-' and '/'")
      .default("/workspace")
      .describe("where files land and commands run (created on first use)"),
    // ExecuteCommand documents no limit on the command string, so this stays conservative; raise it after measuring on a real cluster.
    HUB_ECS_EXEC_COMMAND_MAX_CHARS: positiveInt(8192, 2048).describe(
      "longest ExecuteCommand string (a run's command, cwd and env), at least 2048; uploads are split to fit, a longer run is a 400",
    ),
  })
  .transform((env) => ({
    region: env.AWS_REGION,
    cluster: env.HUB_ECS_CLUSTER,
    subnets: env.HUB_ECS_SUBNETS,
    securityGroups: env.HUB_ECS_SECURITY_GROUPS,
    taskFamily: env.HUB_ECS_TASK_FAMILY,
    executionRoleArn: env.HUB_ECS_EXECUTION_ROLE_ARN,
    taskRoleArn: env.HUB_ECS_TASK_ROLE_ARN,
    logGroup: env.HUB_ECS_LOG_GROUP,
    assignPublicIp: env.HUB_ECS_ASSIGN_PUBLIC_IP,
    capacityProvider: env.HUB_ECS_CAPACITY_PROVIDER,
    workdir: env.HUB_ECS_WORKDIR,
    execCommandMaxChars: env.HUB_ECS_EXEC_COMMAND_MAX_CHARS,
  }));

export type EcsSettings = z.output<typeof ecsEnvSchema>;
