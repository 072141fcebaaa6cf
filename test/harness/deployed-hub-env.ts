/**
 * The Hub's environment as a stack deploys it, read from the recorded resources: what the Hub's own
 * parser (hub-app's parseHubEnv) sees at start. Every entry must carry a literal value; a value the
 * platform injects (the ECS task's `secrets`) gets a stand-in of the shape the platform delivers.
 */
import type { Recorder } from "./mocks";

interface EnvEntry {
  readonly name: string;
  readonly value?: string;
}

function asRecord(entries: readonly EnvEntry[], where: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of entries) {
    if (typeof entry.value !== "string") throw new Error(`${where}: ${entry.name} has no literal value`);
    if (entry.name in env) throw new Error(`${where}: ${entry.name} is set twice`);
    env[entry.name] = entry.value;
  }
  return env;
}

/** The EKS Hub's container env (Deployment eks-hub-deployment, container `hub`). */
export function eksHubEnvironment(recorder: Recorder): Record<string, string> {
  const containers: { name: string; env: EnvEntry[] }[] = recorder.one(
    "kubernetes:apps/v1:Deployment",
    "eks-hub-deployment",
  ).inputs.spec.template.spec.containers;
  const hub = containers.find((container) => container.name === "hub");
  if (hub === undefined) throw new Error("eks-hub-deployment has no container named hub");
  return asRecord(hub.env, "eks-hub-deployment");
}

/** A token of the HubToken's length (48), standing in for what ECS reads from Secrets Manager at start. */
export const INJECTED_SECRET = "t".repeat(48);

/**
 * The mock harness's ids (`mocked-subnet-...`, `mocked::...::<name>`, `arn:aws:iam:<region>:<account>:mocked-...`)
 * are not in AWS's formats, which the ECS orchestrator checks. Each mocked id becomes one of AWS's
 * shape, one for one, so the parser judges everything else as deployed; that real ids pass through
 * unchanged is test/ecs/hub-env-accepted.test.ts's part.
 */
const AWS_SHAPED_IDS: Record<string, (index: number) => string> = {
  HUB_ECS_SUBNETS: (index) => `subnet-0${index}a1b2c3d4e5f6078`,
  HUB_ECS_SECURITY_GROUPS: (index) => `sg-0${index}23456789abcdef0`,
  HUB_ECS_EXECUTION_ROLE_ARN: () => "arn:aws:iam::123456789012:role/mocked-sandbox-execution",
  HUB_ECS_TASK_ROLE_ARN: () => "arn:aws:iam::123456789012:role/mocked-sandbox-task",
};

function withAwsShapedIds(env: Record<string, string>): Record<string, string> {
  const shaped = { ...env };
  for (const [name, shape] of Object.entries(AWS_SHAPED_IDS)) {
    const value = env[name];
    if (value === undefined) continue;
    shaped[name] = value
      .split(",")
      .map((id, index) => (id.includes("mocked") ? shape(index) : id))
      .join(",");
  }
  return shaped;
}

/**
 * The ECS Hub's environment (task definition ecs-hub-task-definition): its `environment`, plus each
 * of its `secrets`, which ECS resolves from Secrets Manager into variables before the Hub starts;
 * mocked ids in AWS's shape.
 */
export function ecsHubEnvironment(recorder: Recorder): Record<string, string> {
  const [hub] = JSON.parse(
    recorder.one("aws:ecs/taskDefinition:TaskDefinition", "ecs-hub-task-definition").inputs
      .containerDefinitions,
  ) as { environment: EnvEntry[]; secrets?: { name: string; valueFrom: string }[] }[];
  if (hub === undefined) throw new Error("ecs-hub-task-definition has no container");
  const injected = (hub.secrets ?? []).map((secret) => ({ name: secret.name, value: INJECTED_SECRET }));
  return withAwsShapedIds(asRecord([...hub.environment, ...injected], "ecs-hub-task-definition"));
}
