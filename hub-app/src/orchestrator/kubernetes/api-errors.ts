/**
 * Kubernetes API failures as the Hub's errors: what went wrong in words a caller can act on,
 * with the right status (throttling and quota are retryable, RBAC and outages are the Hub's).
 */
import { ApiException } from "@kubernetes/client-node";
import { HubError } from "../../errors.js";

const DEFAULT_RETRY_AFTER_SECONDS = 5;

/** The API server's Status object, which the client leaves as JSON text in `body`. */
interface ApiStatus {
  readonly reason?: string;
  readonly message?: string;
}

function statusOf(body: unknown): ApiStatus {
  if (typeof body === "object" && body !== null) return body;
  if (typeof body !== "string" || body === "") return {};
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === "object" && parsed !== null ? parsed : {};
  } catch {
    return { message: body.slice(0, 300) };
  }
}

function retryAfterOf(headers: Record<string, string> | undefined): number {
  const seconds = Number(headers?.["retry-after"]);
  return Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds) : DEFAULT_RETRY_AFTER_SECONDS;
}

/**
 * The authorizer's 403 says `User "..." cannot <verb> resource ...` (k8s.io/apiserver
 * pkg/endpoints/handlers/responsewriters/errors.go, forbiddenMessage); admission plugins say why instead.
 */
function isAuthorizationDenial(message: string): boolean {
  return /\bcannot \S+ (resource|path)\b/.test(message) || !/ is forbidden: /.test(message);
}

/** The HTTP status of a failed API call, when it got that far. */
export function apiStatusCode(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

/** `action` says what the Hub was doing, e.g. "create pod cnt-abc12 in namespace sandboxes". */
export function toHubError(action: string, error: unknown): HubError {
  if (error instanceof HubError) return error;
  if (!(error instanceof ApiException)) {
    const reason = error instanceof Error ? error.message : String(error);
    return new HubError(
      "orchestrator_unavailable",
      `cannot reach the Kubernetes API to ${action}: ${reason}`,
      DEFAULT_RETRY_AFTER_SECONDS,
      { cause: error },
    );
  }
  const status = statusOf(error.body);
  const detail = status.message ?? status.reason ?? `HTTP ${error.code}`;
  const options = { cause: error };
  switch (error.code) {
    case 400:
    case 422:
      return new HubError(
        "invalid_request",
        `Kubernetes rejected the request to ${action}: ${detail}`,
        undefined,
        options,
      );
    case 401:
      return new HubError(
        "orchestrator_unavailable",
        `the Kubernetes API did not accept the Hub's credentials (${action})`,
        DEFAULT_RETRY_AFTER_SECONDS,
        options,
      );
    case 403:
      // A ResourceQuota refusal is a capacity answer; anything else is missing RBAC, the operator's to fix.
      if (/exceeded quota/i.test(detail)) {
        return new HubError(
          "no_capacity",
          `sandbox quota reached: ${detail}`,
          retryAfterOf(error.headers),
          options,
        );
      }
      // An admission plugin's refusal (LimitRange, PodSecurity) is about the request, not the Hub's rights.
      if (!isAuthorizationDenial(detail)) {
        return new HubError(
          "invalid_request",
          `Kubernetes refused to ${action}: ${detail}`,
          undefined,
          options,
        );
      }
      return new HubError(
        "orchestrator_unavailable",
        `the Hub is not allowed to ${action}; check its RBAC Role: ${detail}`,
        DEFAULT_RETRY_AFTER_SECONDS,
        options,
      );
    case 404:
      return new HubError("not_found", `not found while trying to ${action}: ${detail}`, undefined, options);
    case 409:
      return new HubError("conflict", `conflict while trying to ${action}: ${detail}`, undefined, options);
    case 429:
      return new HubError(
        "throttled",
        `the Kubernetes API is throttling the Hub (${action}): ${detail}`,
        retryAfterOf(error.headers),
        options,
      );
    default:
      return new HubError(
        "orchestrator_unavailable",
        `the Kubernetes API failed to ${action} (HTTP ${error.code}): ${detail}`,
        retryAfterOf(error.headers),
        options,
      );
  }
}

/** Runs one API call; failures become HubErrors that say what the Hub was doing. */
export async function callKube<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toHubError(action, error);
  }
}
