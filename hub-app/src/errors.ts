/** Every error the API answers with; `code` is stable and documented, `message` is for people. */
export const ERROR_STATUS = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  request_timeout: 408,
  payload_too_large: 413,
  throttled: 429,
  headers_too_large: 431,
  internal: 500,
  container_failed: 502,
  app_unreachable: 502,
  orchestrator_unavailable: 503,
  no_capacity: 503,
  insufficient_storage: 503,
  timeout: 504,
  app_timeout: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** The one error class of the Hub: a status, a stable code, a safe message, and Retry-After when it applies. */
export class HubError extends Error {
  public readonly status: number;

  constructor(
    public readonly code: ErrorCode,
    message: string,
    public readonly retryAfterSeconds?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "HubError";
    this.status = ERROR_STATUS[code];
  }
}

export const notFound = (id: string): HubError => new HubError("not_found", `no container ${id}`);
