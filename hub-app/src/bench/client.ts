/**
 * A small Hub API client over node:http(s) with one keep-alive agent. Chosen over global fetch because it
 * costs less CPU per request (hub-app/bench/load-tester-overhead.ts measures both) and has no hidden
 * 300 s headers timeout, which a slow Fargate create (up to the Hub's 5 min create timeout) would hit.
 */
import http from "node:http";
import https from "node:https";

/** Enough sockets for the study's largest cell, 1000 creates in flight, plus their commands and deletes. */
export const MAX_SOCKETS = 1024;

/** A failed call: the Hub's `{error: {code, message}}`, or the client's own code when no answer came. */
export class HubApiError extends Error {
  constructor(
    public readonly code: string,
    message: string,
    public readonly httpStatus?: number,
  ) {
    super(message);
    this.name = "HubApiError";
  }
}

export interface RequestOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface ContainerView {
  readonly id: string;
  readonly status: string;
  readonly timings?: Record<string, number>;
  readonly message?: string;
  /** The create answer only: true when a warm pool's ready member was claimed (Hubs before pools omit it). */
  readonly warm?: boolean;
}

/** One warm pool as `GET /v1/pools` shows it. */
export interface PoolView {
  readonly image: string;
  readonly cpu: number;
  readonly memory: number;
  readonly placement: string;
  readonly size: number;
  readonly ready: number;
  readonly starting: number;
}

export interface CreateRequest {
  readonly image?: string;
  readonly cpu: number;
  readonly memory: number;
  readonly placement?: string;
  readonly ttlSeconds?: number;
  /** The web scenario: the app's port, which the Hub then lets through a minted URL. */
  readonly ports?: readonly number[];
}

export interface PortUrl {
  readonly url: string;
  readonly expiresAt: string;
}

export interface FileUpload {
  readonly path: string;
  /** base64. */
  readonly content: string;
  readonly encoding: "base64";
  readonly mode?: number;
}

export interface RunResponse {
  readonly exitCode: number | null;
  readonly durationMs?: number;
  readonly timedOut?: boolean;
}

export interface HealthResponse {
  readonly version?: string;
  readonly orchestrator?: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;

function errorFromBody(status: number, body: unknown): HubApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const code = typeof error?.code === "string" ? error.code : `http_${status}`;
  const message = typeof error?.message === "string" ? error.message : `HTTP ${status}`;
  return new HubApiError(code, message, status);
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export class HubClient {
  readonly baseUrl: URL;
  private readonly agent: http.Agent;
  private readonly transport: typeof http | typeof https;

  constructor(
    baseUrl: string,
    private readonly token?: string,
  ) {
    this.baseUrl = new URL(baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`);
    const secure = this.baseUrl.protocol === "https:";
    this.transport = secure ? https : http;
    const agentOptions = { keepAlive: true, maxSockets: MAX_SOCKETS, maxFreeSockets: MAX_SOCKETS };
    this.agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  }

  /** Sends one request; resolves with the parsed body of a 2xx, rejects with HubApiError otherwise. */
  request<T>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
    const url = new URL(path.replace(/^\//, ""), this.baseUrl);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string | number> = { accept: "application/json" };
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    if (payload !== undefined) {
      headers["content-type"] = "application/json";
      headers["content-length"] = payload.length;
    }
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    return new Promise<T>((resolve, reject) => {
      let failure: HubApiError | undefined;
      const request = this.transport.request(url, { method, headers, agent: this.agent }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", (error) => settle(new HubApiError("network_error", error.message)));
        response.on("end", () => {
          const status = response.statusCode ?? 0;
          const parsed = parseJson(Buffer.concat(chunks).toString("utf8"));
          if (status >= 200 && status < 300) settle(undefined, parsed as T);
          else settle(errorFromBody(status, parsed));
        });
      });
      const stop = (error: HubApiError): void => {
        failure = error;
        request.destroy(error);
      };
      const timer = setTimeout(
        () => stop(new HubApiError("client_timeout", `no answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const onAbort = (): void => stop(new HubApiError("aborted", "stopped before the Hub answered"));
      const settle = (error?: HubApiError, value?: T): void => {
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        if (error !== undefined) reject(error);
        else resolve(value as T);
      };
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener("abort", onAbort, { once: true });
      request.on("error", (error: NodeJS.ErrnoException) =>
        settle(
          failure ??
            new HubApiError("network_error", `${method} ${url.origin}: ${error.code ?? error.message}`),
        ),
      );
      request.end(payload);
    });
  }

  health(options?: RequestOptions): Promise<HealthResponse | undefined> {
    return this.request<HealthResponse | undefined>("GET", "/healthz", undefined, options);
  }

  listContainers(options?: RequestOptions): Promise<{ items: ContainerView[] }> {
    return this.request("GET", "/v1/containers", undefined, options);
  }

  createContainer(body: CreateRequest, options?: RequestOptions): Promise<ContainerView> {
    return this.request("POST", "/v1/containers", body, options);
  }

  getContainer(id: string, options?: RequestOptions): Promise<ContainerView> {
    return this.request("GET", `/v1/containers/${encodeURIComponent(id)}`, undefined, options);
  }

  async deleteContainer(id: string, options?: RequestOptions): Promise<void> {
    await this.request("DELETE", `/v1/containers/${encodeURIComponent(id)}`, undefined, options);
  }

  async putFiles(id: string, files: readonly FileUpload[], options?: RequestOptions): Promise<void> {
    await this.request("PUT", `/v1/containers/${encodeURIComponent(id)}/files`, { files }, options);
  }

  run(
    id: string,
    command: readonly string[],
    options?: RequestOptions,
    env?: Readonly<Record<string, string>>,
  ): Promise<RunResponse> {
    const body = env === undefined ? { command } : { command, env };
    return this.request("POST", `/v1/containers/${encodeURIComponent(id)}/run`, body, options);
  }

  /** `GET /v1/pools`: the Hub's warm pools (an empty list when it keeps none). */
  pools(options?: RequestOptions): Promise<{ items: PoolView[] }> {
    return this.request("GET", "/v1/pools", undefined, options);
  }

  /** A URL that opens the container's declared port in a browser (no other credential needed). */
  mintPortUrl(id: string, port: number, options?: RequestOptions): Promise<PortUrl> {
    return this.request(
      "POST",
      `/v1/containers/${encodeURIComponent(id)}/ports/${port}/url`,
      undefined,
      options,
    );
  }

  /** Closes the kept-alive sockets so the process can exit. */
  close(): void {
    this.agent.destroy();
  }
}
