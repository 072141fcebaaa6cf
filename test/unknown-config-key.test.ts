/** The real program refuses a top-level key it does not know: a typo would otherwise be ignored. */
import { describe, expect, it } from "vitest";
import { runStack } from "./harness/stack";

describe("a stack with an unknown top-level config key", () => {
  it("stops on a top-level key the program does not know (a typo)", async () => {
    const run = runStack("ecs-fargate", { overrides: { "sandbox-platform:ecss": { fargateSpot: true } } });
    const error: Error = await run.then(
      () => new Error("the program accepted the config"),
      (err: Error) => err,
    );
    expect(error.message).toMatch(/unknown key\(s\) sandbox-platform:ecss; allowed: /);
  });
});
