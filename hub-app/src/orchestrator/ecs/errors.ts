/**
 * How ECS API failures become HubErrors once the SDK's retries (ecs-client.ts) gave up.
 * ECS throttles with ThrottlingException, or with InvalidParameterException/ClientException
 * whose message says "Rate exceeded" (Amazon ECS service quotas: Fargate task launch rate,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/throttling.html).
 */
import { HubError } from "../../errors.js";

const THROTTLING_NAMES = new Set(["ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded"]);
const THROTTLING_MESSAGE = /rate exceeded|too many concurrent attempts|throttl/i;

/** ECS rejections that mean "the service is unavailable right now", not "your request is wrong". */
const UNAVAILABLE_NAMES = new Set([
  "ServerException",
  "ServiceUnavailableException",
  "ClusterNotFoundException",
]);

/** Seconds a client should wait after ECS kept throttling us through every retry. */
export const THROTTLED_RETRY_AFTER_SECONDS = 2;

/** ECS throttles RunTask and others per account and region; these are worth retrying after a pause. */
export function isThrottling(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (THROTTLING_NAMES.has(error.name)) return true;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === 429 || THROTTLING_MESSAGE.test(error.message);
}

/** A HubError for a failed ECS call; AWS messages can name ARNs and accounts, so 5xx keeps only the error name. */
export function ecsFailure(operation: string, error: unknown): HubError {
  if (error instanceof HubError) return error;
  const name = error instanceof Error ? error.name : "unknown error";
  if (isThrottling(error)) {
    return new HubError(
      "throttled",
      `ECS ${operation} is throttled; retry later`,
      THROTTLED_RETRY_AFTER_SECONDS,
      {
        cause: error,
      },
    );
  }
  if (name === "TargetNotConnectedException") {
    // ExecuteCommand: the task's exec agent is not (or no longer) connected to SSM.
    return new HubError(
      "container_failed",
      "the sandbox is not reachable through ECS Exec (its exec agent is not connected)",
      undefined,
      {
        cause: error,
      },
    );
  }
  if (UNAVAILABLE_NAMES.has(name) || !(error instanceof Error) || !("$metadata" in error)) {
    // No $metadata: the request never got an answer (DNS, TLS, connection reset).
    return new HubError("orchestrator_unavailable", `ECS ${operation} failed (${name})`, 5, { cause: error });
  }
  return new HubError("internal", `ECS ${operation} failed (${name})`, undefined, { cause: error });
}

/** Calls ECS (the client retries throttling and transient failures itself); what it throws becomes a HubError. */
export async function callEcs<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw ecsFailure(operation, error);
  }
}
