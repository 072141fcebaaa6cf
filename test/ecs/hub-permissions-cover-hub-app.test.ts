/**
 * Every ECS API call the Hub's ECS orchestrator makes is allowed by the Hub's task role: a new call
 * in hub-app without a matching statement fails here, not in production with AccessDenied.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hubTaskRoleStatements } from "../../components/ecs/iam-policies";
import { REPO_ROOT } from "../harness/stack";

const ECS_ORCHESTRATOR_DIR = join(REPO_ROOT, "hub-app", "src", "orchestrator", "ecs");

/** `new RunTaskCommand(` -> `ecs:RunTask`, over the orchestrator's sources. */
function ecsActionsCalledByHubApp(): string[] {
  const actions = new Set<string>();
  for (const file of readdirSync(ECS_ORCHESTRATOR_DIR).filter((f) => f.endsWith(".ts"))) {
    const source = readFileSync(join(ECS_ORCHESTRATOR_DIR, file), "utf8");
    for (const match of source.matchAll(/new ([A-Z][A-Za-z]+)Command\(/g)) actions.add(`ecs:${match[1]}`);
  }
  return [...actions].sort();
}

describe("the Hub's task role against hub-app's ECS calls", () => {
  const granted = new Set(
    hubTaskRoleStatements({
      context: { partition: "aws", region: "eu-west-1", accountId: "123456789012" },
      clusterArn: "arn:aws:ecs:eu-west-1:123456789012:cluster/c",
      clusterName: "c",
      sandboxFamily: "f",
      sandboxExecutionRoleArn: "arn:aws:iam::123456789012:role/e",
      sandboxTaskRoleArn: "arn:aws:iam::123456789012:role/t",
    }).flatMap((s) => s.Action),
  );

  it("finds the orchestrator's calls (the scan itself works)", () => {
    expect(ecsActionsCalledByHubApp()).toEqual(expect.arrayContaining(["ecs:RunTask", "ecs:ExecuteCommand"]));
  });

  it("grants every ECS action hub-app calls", () => {
    expect(ecsActionsCalledByHubApp().filter((action) => !granted.has(action))).toEqual([]);
  });
});
