import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { isThrottling } from "../../src/orchestrator/ecs/errors.js";
import { ECS_MAX_ATTEMPTS } from "../../src/orchestrator/ecs/ecs-client.js";
import { awsError, ecsOverHttp, ok, type EcsRequest, type Responder } from "./ecs-over-http.js";
import {
  containerSpec,
  mockedOrchestrator,
  rateExceededParameterError,
  sandboxTask,
  taskArnOf,
  throttling,
} from "./fixtures.js";

const THROTTLED = awsError("ThrottlingException", "Rate exceeded");
const RATE_EXCEEDED_PARAMETER = awsError("InvalidParameterException", "Rate exceeded");

/** An orchestrator over the real SDK pipeline; `runTask` answers each RunTask, in order. */
function overHttp(runTask: (call: EcsRequest, index: number) => ReturnType<Responder>) {
  let runTasks = 0;
  const http = ecsOverHttp((call) => {
    if (call.operation === "ListTaskDefinitions") return ok({ taskDefinitionArns: [] });
    if (call.operation === "RegisterTaskDefinition")
      return ok({
        taskDefinition: {
          taskDefinitionArn: "arn:aws:ecs:eu-west-1:123456789012:task-definition/hub-sandbox:1",
        },
      });
    if (call.operation === "RunTask") return runTask(call, runTasks++);
    return awsError("UnknownOperationException", call.operation);
  });
  const { orchestrator } = mockedOrchestrator({ ecs: http.ecs });
  const runTaskCalls = () => http.requests.filter((call) => call.operation === "RunTask");
  return { orchestrator, runTaskCalls };
}

const started = (id = "cnt-abc12") => ok({ tasks: [sandboxTask(id, "provisioning")], failures: [] });

/** Settles `promise` while running the SDK's backoff and rate-limiter timers in virtual time. */
async function settle<T>(promise: Promise<T>): Promise<PromiseSettledResult<T>> {
  const result = Promise.allSettled([promise]).then(([outcome]) => outcome);
  let done = false;
  void result.then(() => (done = true));
  while (!done) await vi.advanceTimersByTimeAsync(100);
  return result;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
});
afterEach(() => {
  vi.useRealTimers();
});

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

  it("retries a throttled RunTask in the SDK, after backing off, and then succeeds", async () => {
    const answers = [THROTTLED, RATE_EXCEEDED_PARAMETER, THROTTLED];
    const { orchestrator, runTaskCalls } = overHttp((_call, index) => answers[index] ?? started());

    const outcome = await settle(orchestrator.create(containerSpec()));

    expect(outcome).toMatchObject({ status: "fulfilled", value: { id: "cnt-abc12" } });
    const calls = runTaskCalls();
    expect(calls).toHaveLength(4);
    // Every retry came after a wait (the SDK's jittered backoff and its rate limiter's token).
    for (let index = 1; index < calls.length; index++)
      expect(calls[index]!.at).toBeGreaterThan(calls[index - 1]!.at);
  });

  it("answers 429 with Retry-After when throttling outlasts the SDK's retries", async () => {
    const { orchestrator, runTaskCalls } = overHttp(() => THROTTLED);

    const outcome = await settle(orchestrator.create(containerSpec()));

    expect(outcome.status).toBe("rejected");
    const reason = (outcome as PromiseRejectedResult).reason as Error;
    expect(reason).toMatchObject({ code: "throttled", status: 429, retryAfterSeconds: 2 });
    expect(reason.message).toMatch(/ECS RunTask is throttled/);
    expect(runTaskCalls()).toHaveLength(ECS_MAX_ATTEMPTS);
  });

  it("slows the whole client after throttling (adaptive mode), not only the throttled call", async () => {
    // The first call is throttled once; then a burst of ten creates follows at once.
    const { orchestrator, runTaskCalls } = overHttp((call, index) =>
      index === 0 ? THROTTLED : started(String((call.body.tags as { value: string }[])[1]?.value)),
    );
    expect(await settle(orchestrator.create(containerSpec()))).toMatchObject({ status: "fulfilled" });
    const burstStart = Date.now();
    const ids = Array.from({ length: 10 }, (_, index) => `cnt-burst${index}`);
    const outcomes = await settle(Promise.all(ids.map((id) => orchestrator.create(containerSpec({ id })))));

    expect(outcomes).toMatchObject({ status: "fulfilled" });
    const burst = runTaskCalls().slice(2);
    expect(burst).toHaveLength(10);
    // A standard-mode client would send all ten at once; the rate limiter spaces them out.
    expect(burst.at(-1)!.at - burstStart).toBeGreaterThanOrEqual(1_000);
  });

  it("does not retry other errors, and keeps AWS's message out of the answer", async () => {
    const { orchestrator, runTaskCalls } = overHttp(() =>
      awsError("AccessDeniedException", "arn:aws:iam::123456789012:role/x is not authorized"),
    );
    const outcome = await settle(orchestrator.create(containerSpec()));
    expect(outcome).toMatchObject({
      status: "rejected",
      reason: { code: "internal", message: "ECS RunTask failed (AccessDeniedException)" },
    });
    expect(runTaskCalls()).toHaveLength(1);
  });

  it("does not retry a real bad parameter", async () => {
    const { orchestrator, runTaskCalls } = overHttp(() =>
      awsError("InvalidParameterException", `subnet-0a1 not found for ${taskArnOf("cnt-abc12")}`),
    );
    const outcome = await settle(orchestrator.create(containerSpec()));
    expect(outcome.status).toBe("rejected");
    expect(runTaskCalls()).toHaveLength(1);
  });
});
