/**
 * The Hub's ECS client: AWS SDK v3's adaptive retry mode (standard retries with exponential
 * backoff and jitter plus a client-side token bucket that slows every call of this client once
 * ECS throttles), so a RunTask burst backs off as a whole instead of each call on its own
 * (AWS SDKs and Tools reference guide, "Retry behavior"). What it still throws is mapped by
 * callEcs (errors.ts): throttling that outlasted the retries becomes a 429.
 */
import { ECSClient, type ECSClientConfig } from "@aws-sdk/client-ecs";
import { isThrottling } from "./errors.js";

/** Tries per call, the first included (the SDK's standard mode default is 3; RunTask bursts need more). */
export const ECS_MAX_ATTEMPTS = 5;

/**
 * ECS also throttles with InvalidParameterException or ClientException whose message says "Rate
 * exceeded" (Amazon ECS developer guide, "Request throttling"); the SDK only knows error names.
 * The `$retryable.throttling` trait is how a service error tells the SDK's retry strategy
 * (@smithy/core retry, isThrottlingError) that it is throttling.
 */
function markRateExceededAsThrottling(client: ECSClient): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (isThrottling(error) && (error as { $retryable?: unknown }).$retryable === undefined) {
          Object.assign(error as object, { $retryable: { throttling: true } });
        }
        throw error;
      }
    },
    { step: "deserialize", priority: "high", name: "hubRateExceededIsThrottling" },
  );
}

/** An ECS client for `region`; `overrides` are for tests (a request handler, credentials). */
export function createEcsClient(region: string, overrides: Partial<ECSClientConfig> = {}): ECSClient {
  const client = new ECSClient({
    region,
    retryMode: "adaptive",
    maxAttempts: ECS_MAX_ATTEMPTS,
    ...overrides,
  });
  markRateExceededAsThrottling(client);
  return client;
}
