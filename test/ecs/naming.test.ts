import { describe, expect, it } from "vitest";
import { taskFamily } from "../../components/ecs/naming";

describe("taskFamily", () => {
  it("makes the family unique per project and stack", () => {
    expect(taskFamily("sandbox-platform", "dev", "sandbox")).toBe("sandbox-platform-dev-sandbox");
    expect(taskFamily("sandbox-platform", "ecs-fargate", "sandbox")).not.toBe(
      taskFamily("sandbox-platform", "dev", "sandbox"),
    );
  });

  it("replaces characters ECS does not allow in a family", () => {
    expect(taskFamily("p", "team.prod/1", "hub")).toBe("p-team-prod-1-hub");
  });

  it("refuses a family longer than ECS allows", () => {
    expect(() => taskFamily("p", "s".repeat(260), "hub")).toThrow(/longer than 255 characters/);
  });
});
