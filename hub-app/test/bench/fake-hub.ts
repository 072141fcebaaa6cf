/**
 * A small Hub for the load tester's tests and benchmark: the issue-5 routes the tool uses, over node:http,
 * with an orchestrator that answers at once unless a test holds or fails creates. It records every
 * container created and deleted so tests can assert that nothing was left behind.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export type CreateOutcome =
  | { readonly kind: "ready" }
  /** Answer 201 with status pending; GET says running after `pollsUntilRunning` polls. */
  | { readonly kind: "pending"; readonly pollsUntilRunning: number }
  | { readonly kind: "error"; readonly status: number; readonly code: string };

export interface FakeHubOptions {
  readonly token?: string;
  /** Decides each create (ordinal from 0); may wait to hold the create in flight. Default: ready at once. */
  readonly onCreate?: (ordinal: number) => CreateOutcome | Promise<CreateOutcome>;
  /** Exit code of each run; default 0. */
  readonly exitCode?: (id: string) => number;
  /** Answer PUT files with this error status instead of 204. */
  readonly filesErrorStatus?: number;
  /** Port URLs: how many GETs of an app's page answer 502 (nothing listening yet) before it answers 200. */
  readonly appStartsAfter?: number;
  /** /healthz body; default {status: "ok", version: "fake-1", orchestrator: "fake"}. */
  readonly health?: Record<string, unknown>;
}

export interface FakeHub {
  readonly url: string;
  readonly token: string;
  /** Containers that exist now. */
  readonly live: Set<string>;
  readonly created: string[];
  readonly deleted: string[];
  readonly runs: string[];
  readonly files: Map<string, unknown>;
  /** The body of every create received. */
  readonly createBodies: unknown[];
  /** Body of every run received. */
  readonly runBodies: unknown[];
  /** GETs of each container's app page through its port URL, with the cookie the link set. */
  readonly pageGets: Map<string, number>;
  /** Creates received (including failed ones). */
  createsReceived(): number;
  /** The most creates open at once. */
  maxCreatesInFlight(): number;
  close(): Promise<void>;
}

function send(response: http.ServerResponse, status: number, body?: unknown): void {
  const text = body === undefined ? "" : JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  response.end(text);
}

const sendError = (response: http.ServerResponse, status: number, code: string): void =>
  send(response, status, { error: { code, message: `fake ${code}` } });

function readBody(request: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      resolve(text === "" ? undefined : JSON.parse(text));
    });
    request.on("error", reject);
  });
}

export async function startFakeHub(options: FakeHubOptions = {}): Promise<FakeHub> {
  const token = options.token ?? "test-token";
  const live = new Set<string>();
  const pendingPolls = new Map<string, number>();
  const created: string[] = [];
  const deleted: string[] = [];
  const runs: string[] = [];
  const files = new Map<string, unknown>();
  const createBodies: unknown[] = [];
  const runBodies: unknown[] = [];
  const pageGets = new Map<string, number>();
  let createOrdinal = 0;
  let openCreates = 0;
  let maxOpenCreates = 0;

  const view = (id: string, status: string) => ({
    id,
    status,
    placement: "local",
    image: "host",
    cpu: 0.1,
    memory: 128,
    createdAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    timings: { accepted: 1, started: 2, ready: 3 },
  });

  async function create(response: http.ServerResponse): Promise<void> {
    const ordinal = createOrdinal++;
    openCreates += 1;
    maxOpenCreates = Math.max(maxOpenCreates, openCreates);
    try {
      const outcome = await (options.onCreate?.(ordinal) ?? { kind: "ready" });
      if (outcome.kind === "error") return sendError(response, outcome.status, outcome.code);
      const id = `cnt-${ordinal.toString(36).padStart(5, "0")}`;
      live.add(id);
      created.push(id);
      if (outcome.kind === "pending") pendingPolls.set(id, outcome.pollsUntilRunning);
      send(response, 201, view(id, outcome.kind === "pending" ? "pending" : "running"));
    } finally {
      openCreates -= 1;
    }
  }

  function statusOf(id: string): string {
    const polls = pendingPolls.get(id) ?? 0;
    if (polls <= 0) return "running";
    pendingPolls.set(id, polls - 1);
    return "pending";
  }

  async function route(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const { pathname } = new URL(request.url ?? "/", "http://fake");
    const method = request.method ?? "GET";
    if (method === "GET" && pathname === "/healthz") {
      return send(response, 200, options.health ?? { status: "ok", version: "fake-1", orchestrator: "fake" });
    }
    if (pathname.startsWith("/app/")) return app(request, response);
    if (!pathname.startsWith("/v1/")) return sendError(response, 404, "not_found");
    if (request.headers.authorization !== `Bearer ${token}`) return sendError(response, 401, "unauthorized");
    const body = await readBody(request);
    if (pathname === "/v1/containers") {
      if (method === "POST") {
        createBodies.push(body);
        return create(response);
      }
      return send(response, 200, { items: [...live].map((id) => view(id, "running")) });
    }
    const [, , , id = "", action] = pathname.split("/");
    if (!live.has(id)) return sendError(response, 404, "not_found");
    if (method === "GET" && action === undefined) return send(response, 200, view(id, statusOf(id)));
    if (method === "DELETE" && action === undefined) {
      live.delete(id);
      deleted.push(id);
      return send(response, 204);
    }
    if (method === "PUT" && action === "files") {
      if (options.filesErrorStatus !== undefined)
        return sendError(response, options.filesErrorStatus, "invalid_request");
      files.set(id, body);
      return send(response, 204);
    }
    if (method === "POST" && action === "ports") {
      const url = `http://${request.headers.host}/app/${id}/?token=${id}`;
      return send(response, 201, { url, expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    }
    if (method === "POST" && action === "run") {
      runs.push(id);
      runBodies.push(body);
      const exitCode = options.exitCode?.(id) ?? 0;
      return send(response, 200, {
        exitCode,
        stdout: "bin\n",
        stderr: "",
        timedOut: false,
        truncated: false,
        durationMs: 1,
      });
    }
    return sendError(response, 404, "not_found");
  }

  /** A port URL as the Hub serves it: the link's token becomes a cookie, then the app (502 until it is up). */
  function app(request: http.IncomingMessage, response: http.ServerResponse): void {
    const url = new URL(request.url ?? "/", "http://fake");
    const id = url.pathname.split("/")[2] ?? "";
    if (url.searchParams.get("token") === id) {
      response.writeHead(302, {
        location: `/app/${id}/`,
        "set-cookie": `t=${id}; Path=/app/${id}/; HttpOnly`,
      });
      return void response.end();
    }
    if (!live.has(id) || request.headers.cookie !== `t=${id}`)
      return sendError(response, 401, "unauthorized");
    const gets = (pageGets.get(id) ?? 0) + 1;
    pageGets.set(id, gets);
    if (gets <= (options.appStartsAfter ?? 0)) return sendError(response, 502, "app_unreachable");
    response.writeHead(200, { "content-type": "text/html", "content-length": 9 });
    response.end("<h1>a</h1>".slice(0, 9));
  }

  const server = http.createServer((request, response) => {
    route(request, response).catch(() => sendError(response, 500, "internal"));
  });
  server.maxConnections = 4096;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    live,
    created,
    deleted,
    runs,
    files,
    createBodies,
    runBodies,
    pageGets,
    createsReceived: () => createOrdinal,
    maxCreatesInFlight: () => maxOpenCreates,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
