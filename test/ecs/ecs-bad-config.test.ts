/** The real program refuses bad ECS settings before creating anything, naming every bad key. */
import { describe, expect, it } from "vitest";
import { runStack } from "../harness/stack";

describe("ecs-fargate stack with bad config", () => {
  it("stops with each key's full name and what is allowed", async () => {
    const run = runStack("ecs-fargate", {
      overrides: { "sandbox-platform:ecs": { hubCpuUnits: 100, logRetentionDays: 10 } },
    });
    const error: Error = await run.then(
      () => new Error("the program accepted the config"),
      (err: Error) => err,
    );
    expect(error.message).toMatch(/sandbox-platform:ecs\.hubCpuUnits: must be at least 256, got 100/);
    expect(error.message).toMatch(
      /sandbox-platform:ecs\.logRetentionDays: must be one of 1, 3, 5, 7, 14, 30/,
    );
  });
});
