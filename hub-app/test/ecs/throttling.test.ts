import {
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { isThrottling } from "../../src/orchestrator/ecs/errors.js";
import {
  containerSpec,
  mockedOrchestrator,
  rateExceededParameterError,
  sandboxTask,
  throttling,
} from "./fixtures.js";

function readyToRun() {
  const harness = mockedOrchestrator();
  harness.ecsMock.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [] });
  harness.ecsMock.on(RegisterTaskDefinitionCommand).resolves({
    taskDefinition: {
      taskDefinitionArn: "arn:aws:ecs:eu-west-1:123456789012:task-definition/hub-sandbox:1",
    },
  });
  return harness;
}

describe("ECS throttling", () => {
  it.each([
    ["ThrottlingException", throttling(), true],
    ["InvalidParameterException: Rate exceeded", rateExceededParameterError(), true],
    [
      "too many concurrent attempts",
      Object.assign(new Error("Too many concurrent attempts to create a new revision"), {
        name: "ClientException",
      }),
      true,
    ],
    [
      "an HTTP 429",
      Object.assign(new Error("slow down"), { name: "Unknown", $metadata: { httpStatusCode: 429 } }),
      true,
    ],
    [
      "a real bad parameter",
      Object.assign(new Error("subnet-0a1 not found"), { name: "InvalidParameterException" }),
      false,
    ],
    ["not an error", "Rate exceeded", false],
  ])("recognises %s", (_name, error, expected) => {
    expect(isThrottling(error)).toBe(expected);
  });

  it("retries RunTask with jittered, growing waits and then succeeds", async () => {
    const harness = readyToRun();
    harness.ecsMock
      .on(RunTaskCommand)
      .rejectsOnce(throttling())
      .rejectsOnce(rateExceededParameterError())
      .rejectsOnce(throttling())
      .resolves({ tasks: [sandboxTask("cnt-abc12", "provisioning")] });

    await expect(harness.orchestrator.create(containerSpec())).resolves.toMatchObject({ id: "cnt-abc12" });

    expect(harness.ecsMock.commandCalls(RunTaskCommand)).toHaveLength(4);
    // random() = 0.5 of min(5000, 200 * 2^n)
    expect(harness.time.waits).toEqual([100, 200, 400]);
  });

  it("answers 429 with Retry-After when throttling outlasts the retries", async () => {
    const harness = readyToRun();
    harness.ecsMock.on(RunTaskCommand).rejects(throttling());

    const failure = harness.orchestrator.create(containerSpec());
    await expect(failure).rejects.toMatchObject({ code: "throttled", status: 429, retryAfterSeconds: 2 });
    await expect(failure).rejects.toThrow(/ECS RunTask is throttled/);
    expect(harness.ecsMock.commandCalls(RunTaskCommand)).toHaveLength(5);
  });

  it("does not retry other errors, and keeps AWS's message out of the answer", async () => {
    const harness = readyToRun();
    harness.ecsMock.on(RunTaskCommand).rejects(
      Object.assign(new Error("arn:aws:iam::123456789012:role/x is not authorized"), {
        name: "AccessDeniedException",
        $metadata: {},
      }),
    );
    const failure = harness.orchestrator.create(containerSpec());
    await expect(failure).rejects.toMatchObject({
      code: "internal",
      message: "ECS RunTask failed (AccessDeniedException)",
    });
    expect(harness.ecsMock.commandCalls(RunTaskCommand)).toHaveLength(1);
  });
});
