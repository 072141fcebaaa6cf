/**
 * A fake Kubernetes API server on 127.0.0.1 for the real @kubernetes/client-node: pods create,
 * get, list, watch (chunked JSON lines, synthetic ADDED first), delete (with preconditions),
 * merge patch of labels and annotations, optimistic concurrency (a patch or delete naming an older
 * resourceVersion is a 409 Conflict), label selectors with `key=value`, `key` and `!key` terms, SelfSubjectAccessReview,
 * events (listed by field selector) and exec (fake-exec.ts). Bearer-token auth, Status bodies on errors, and one-shot failures
 * the tests inject, as a real API server would answer.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo, Socket } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";
import { WebSocketServer } from "ws";
import { serveExec, V4_PROTOCOL, V5_PROTOCOL, type ExecCall, type ExecMode } from "./fake-exec.js";
import { DEFAULT_POD_IP, storyFor, warningsFor, type PodJson } from "./fake-kubelet.js";

const TOKEN = "fake-cluster-token";
const POD_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods(?:\/([^/]+))?(?:\/(exec))?$/;
const EVENTS_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/events$/;
const ACCESS_REVIEW_PATH = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";

/** A core/v1 Event as the API server sends it (the fields the Hub reads). */
type EventJson = {
  metadata: { name: string; namespace: string; creationTimestamp: string };
  involvedObject: { kind: string; name: string; namespace: string; uid?: string };
  type: "Normal" | "Warning";
  reason: string;
  message: string;
  source: { component: string };
  lastTimestamp: string;
  count: number;
};

interface Injected {
  readonly method: string;
  readonly path: RegExp;
  readonly status: number;
  readonly reason: string;
  readonly message: string;
  readonly headers: Record<string, string>;
}

export interface FakeRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body?: unknown;
}

type WatchEvent = "ADDED" | "MODIFIED" | "DELETED";

function statusBody(code: number, reason: string, message: string) {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
}

/** Label selectors as the API server takes them: `key=value`, `key` (exists) and `!key` (absent) terms. */
function matchesSelector(pod: PodJson, selector: string | null): boolean {
  if (selector === null || selector === "") return true;
  const labels = pod.metadata.labels ?? {};
  return selector.split(",").every((term) => {
    if (term.startsWith("!")) return !Object.hasOwn(labels, term.slice(1));
    if (!term.includes("=")) return Object.hasOwn(labels, term);
    const [key = "", value] = term.split("=");
    return labels[key] === value;
  });
}

/** The API server's answer to a write that names an older resourceVersion than the object's. */
function staleVersion(res: ServerResponse, pod: PodJson): void {
  const message = `Operation cannot be fulfilled on pods "${pod.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`;
  send(res, 409, statusBody(409, "Conflict", message));
}

export class FakeKubeApi {
  readonly pods = new Map<string, PodJson>();
  readonly requests: FakeRequest[] = [];
  readonly events: EventJson[] = [];
  /** Rights the fake RBAC withholds, as "verb resource[/subresource]"; everything else is allowed. */
  readonly deniedAccess = new Set<string>();
  readonly execCalls: ExecCall[] = [];
  /** Writes refused because they named an older resourceVersion (409 Conflict). */
  staleWrites = 0;
  execMode: ExecMode = "run";
  /**
   * Exec subprotocols this API server speaks, preferred first. Kubernetes 1.30+ with its stream
   * translator (TranslateStreamCloseWebsocketRequests) adds v5; older ones, or the translator
   * off, stop at v4 (staging/src/k8s.io/apimachinery/pkg/util/remotecommand/constants.go).
   */
  execProtocols: string[] = [V5_PROTOCOL, V4_PROTOCOL];
  /**
   * The IP the fake kubelet gives a Pod. A test that proxies to sandboxes' ports returns a loopback
   * address where its own server listens (Linux answers on all of 127.0.0.0/8).
   */
  podIP: (pod: PodJson) => string = () => DEFAULT_POD_IP;
  /** Delay between the kubelet's status steps, ms. */
  kubeletStepMs = 5;
  private readonly injected: Injected[] = [];
  private readonly watchers = new Set<{ res: ServerResponse; namespace: string; selector: string | null }>();
  private readonly sockets = new Set<Socket>();
  private readonly server = createServer((req, res) => void this.handle(req, res));
  private readonly websockets = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => this.execProtocols.find((protocol) => offered.has(protocol)) ?? false,
  });
  private resourceVersion = 1000;
  readonly execRoot = mkdtempSync(join(tmpdir(), "fake-kube-exec-"));
  url = "";

  constructor(private readonly workdir = "/workspace") {}

  async start(): Promise<this> {
    this.server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    this.server.on("upgrade", (req, socket, head) => this.upgrade(req, socket as Socket, head));
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** A KubeConfig for this server with the right (or, for 401 tests, a wrong) token. */
  kubeConfig(token = TOKEN): KubeConfig {
    const config = new KubeConfig();
    config.loadFromOptions({
      clusters: [{ name: "fake", server: this.url, skipTLSVerify: true }],
      users: [{ name: "hub", token }],
      contexts: [{ name: "fake", cluster: "fake", user: "hub" }],
      currentContext: "fake",
    });
    return config;
  }

  /** The next `method` request whose path matches fails with `status` (and a Status body). */
  failNext(
    method: string,
    path: RegExp,
    status: number,
    reason: string,
    message: string,
    headers = {},
  ): void {
    this.injected.push({ method, path, status, reason, message, headers });
  }

  /** Ends every open watch, as an API server does at its watch timeout. */
  dropWatches(): void {
    for (const watcher of this.watchers) watcher.res.end();
    this.watchers.clear();
  }

  get openWatches(): number {
    return this.watchers.size;
  }

  /** Changes a stored pod as the kubelet would and tells the watchers. */
  updatePod(namespace: string, name: string, change: (pod: PodJson) => void): void {
    const pod = this.pods.get(`${namespace}/${name}`);
    if (pod === undefined) return;
    change(pod);
    this.touch(pod);
    this.emit("MODIFIED", pod);
  }

  async close(): Promise<void> {
    this.dropWatches();
    for (const client of this.websockets.clients) client.terminate();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.execRoot, { recursive: true, force: true });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.url);
    const body = await readJson(req);
    const method = req.method ?? "GET";
    this.requests.push({ method, path: url.pathname, query: url.searchParams, body });
    if (req.headers.authorization !== `Bearer ${TOKEN}`)
      return send(res, 401, statusBody(401, "Unauthorized", "Unauthorized"));
    const injected = this.takeInjected(method, url.pathname);
    if (injected !== undefined) {
      return send(
        res,
        injected.status,
        statusBody(injected.status, injected.reason, injected.message),
        injected.headers,
      );
    }
    if (url.pathname === ACCESS_REVIEW_PATH && method === "POST") return this.review(res, body);
    const events = EVENTS_PATH.exec(url.pathname);
    if (events !== null && method === "GET") {
      return send(res, 200, this.listEvents(events[1] ?? "", url.searchParams.get("fieldSelector")));
    }
    const match = POD_PATH.exec(url.pathname);
    if (match === null)
      return send(res, 404, statusBody(404, "NotFound", `the server could not find ${url.pathname}`));
    const [, namespace = "", name] = match;
    if (name === undefined && method === "GET" && url.searchParams.get("watch") === "true") {
      return this.watch(res, namespace, url.searchParams.get("labelSelector"));
    }
    if (name === undefined && method === "GET")
      return send(res, 200, this.list(namespace, url.searchParams.get("labelSelector")));
    if (name === undefined && method === "POST") return this.create(res, namespace, body as PodJson);
    const pod = name === undefined ? undefined : this.pods.get(`${namespace}/${name}`);
    if (pod === undefined)
      return send(res, 404, statusBody(404, "NotFound", `pods "${name ?? ""}" not found`));
    if (method === "GET") return send(res, 200, pod);
    if (method === "DELETE") return this.remove(res, pod, body);
    if (method === "PATCH") return this.patch(res, pod, body, req.headers["content-type"]);
    return send(res, 405, statusBody(405, "MethodNotAllowed", `${method} is not supported here`));
  }

  private takeInjected(method: string, path: string): Injected | undefined {
    const at = this.injected.findIndex((rule) => rule.method === method && rule.path.test(path));
    return at < 0 ? undefined : this.injected.splice(at, 1)[0];
  }

  private list(namespace: string, selector: string | null) {
    const items = [...this.pods.values()].filter(
      (pod) => pod.metadata.namespace === namespace && matchesSelector(pod, selector),
    );
    return {
      kind: "PodList",
      apiVersion: "v1",
      metadata: { resourceVersion: String(this.resourceVersion) },
      items,
    };
  }

  /** SelfSubjectAccessReview: the answer the authorizer gives for these attributes. */
  private review(res: ServerResponse, body: unknown): void {
    const attributes =
      (body as { spec?: { resourceAttributes?: Record<string, string> } } | undefined)?.spec
        ?.resourceAttributes ?? {};
    const { verb = "", resource = "", subresource } = attributes;
    const allowed = !this.deniedAccess.has(`${verb} ${resource}${subresource ? `/${subresource}` : ""}`);
    send(res, 201, {
      apiVersion: "authorization.k8s.io/v1",
      kind: "SelfSubjectAccessReview",
      spec: { resourceAttributes: attributes },
      status: { allowed, ...(allowed ? {} : { reason: "no RBAC rule allows it" }) },
    });
  }

  /** Field selectors as the API server takes them for events: `involvedObject.name=x,...`. */
  private listEvents(namespace: string, fieldSelector: string | null) {
    const terms = (fieldSelector ?? "").split(",").filter((term) => term !== "");
    const field = (event: EventJson, path: string): string | undefined =>
      path === "involvedObject.kind"
        ? event.involvedObject.kind
        : path === "involvedObject.name"
          ? event.involvedObject.name
          : undefined;
    const items = this.events.filter(
      (event) =>
        event.metadata.namespace === namespace &&
        terms.every((term) => {
          const [path = "", value] = term.split("=");
          return field(event, path) === value;
        }),
    );
    return {
      kind: "EventList",
      apiVersion: "v1",
      metadata: { resourceVersion: String(this.resourceVersion) },
      items,
    };
  }

  private recordWarnings(pod: PodJson): void {
    const at = new Date().toISOString();
    for (const [index, warning] of warningsFor(pod).entries()) {
      const { name, namespace = "", uid } = pod.metadata;
      this.events.push({
        metadata: { name: `${name}.${index}`, namespace, creationTimestamp: at },
        involvedObject: { kind: "Pod", name, namespace, ...(uid === undefined ? {} : { uid }) },
        type: "Warning",
        reason: warning.reason,
        message: warning.message,
        source: { component: warning.component },
        lastTimestamp: at,
        count: 1,
      });
    }
  }

  private create(res: ServerResponse, namespace: string, pod: PodJson): void {
    const key = `${namespace}/${pod.metadata.name}`;
    if (this.pods.has(key)) {
      return send(res, 409, statusBody(409, "AlreadyExists", `pods "${pod.metadata.name}" already exists`));
    }
    pod.metadata = {
      ...pod.metadata,
      namespace,
      uid: randomUUID(),
      creationTimestamp: new Date().toISOString(),
    };
    pod.status = { phase: "Pending" };
    this.touch(pod);
    this.pods.set(key, pod);
    this.emit("ADDED", pod);
    this.recordWarnings(pod);
    send(res, 201, pod);
    this.runKubelet(namespace, pod.metadata.name);
  }

  private runKubelet(namespace: string, name: string): void {
    const pod = this.pods.get(`${namespace}/${name}`);
    if (pod === undefined) return;
    // One step after the other: timers of different lengths may fire out of order on a busy loop.
    const steps = storyFor(pod, this.podIP(pod));
    const next = () => {
      const status = steps.shift();
      if (status === undefined) return;
      this.updatePod(namespace, name, (current) => (current.status = status));
      setTimeout(next, this.kubeletStepMs);
    };
    setTimeout(next, this.kubeletStepMs);
  }

  /**
   * A JSON merge patch of labels and annotations (all the Hub patches); a uid in it must match, and
   * a resourceVersion in it must be the current one (the API server applies the patch to that
   * version only, so two writers racing on one version cannot both win).
   */
  private patch(res: ServerResponse, pod: PodJson, body: unknown, contentType: string | undefined): void {
    if (contentType !== "application/merge-patch+json") {
      const message = `the body of the request was in an unknown format: ${contentType ?? "none"}`;
      return send(res, 415, statusBody(415, "UnsupportedMediaType", message));
    }
    const metadata = (body as { metadata?: Partial<PodJson["metadata"]> } | undefined)?.metadata ?? {};
    if (metadata.uid !== undefined && metadata.uid !== pod.metadata.uid) {
      const message = `Precondition failed: UID in precondition: ${metadata.uid}, UID in object meta: ${pod.metadata.uid ?? ""}`;
      return send(res, 409, statusBody(409, "Conflict", message));
    }
    if (metadata.resourceVersion !== undefined && metadata.resourceVersion !== pod.metadata.resourceVersion) {
      this.staleWrites += 1;
      return staleVersion(res, pod);
    }
    const merge = (
      current: Record<string, string> | undefined,
      change: Record<string, string | null> | undefined,
    ) =>
      Object.fromEntries(
        Object.entries({ ...current, ...change }).filter(
          (entry): entry is [string, string] => entry[1] !== null,
        ),
      );
    pod.metadata.labels = merge(pod.metadata.labels, metadata.labels);
    pod.metadata.annotations = merge(pod.metadata.annotations, metadata.annotations);
    this.touch(pod);
    this.emit("MODIFIED", pod);
    send(res, 200, pod);
  }

  private remove(res: ServerResponse, pod: PodJson, body: unknown): void {
    const preconditions = (body as { preconditions?: { uid?: string; resourceVersion?: string } } | undefined)
      ?.preconditions;
    const uid = preconditions?.uid;
    if (uid !== undefined && uid !== pod.metadata.uid) {
      return send(res, 409, statusBody(409, "Conflict", `Precondition failed: UID in precondition: ${uid}`));
    }
    const version = preconditions?.resourceVersion;
    if (version !== undefined && version !== pod.metadata.resourceVersion) {
      this.staleWrites += 1;
      const message = `Precondition failed: ResourceVersion in precondition: ${version}, ResourceVersion in object meta: ${pod.metadata.resourceVersion ?? ""}`;
      return send(res, 409, statusBody(409, "Conflict", message));
    }
    pod.metadata.deletionTimestamp = new Date().toISOString();
    this.touch(pod);
    this.emit("MODIFIED", pod);
    send(res, 200, pod);
    setTimeout(() => {
      this.pods.delete(`${pod.metadata.namespace ?? ""}/${pod.metadata.name}`);
      this.emit("DELETED", pod);
    }, this.kubeletStepMs);
  }

  private watch(res: ServerResponse, namespace: string, selector: string | null): void {
    res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
    const watcher = { res, namespace, selector };
    this.watchers.add(watcher);
    res.on("close", () => this.watchers.delete(watcher));
    // No resourceVersion: replay what exists as ADDED, as the API server does.
    for (const pod of this.list(namespace, selector).items)
      res.write(`${JSON.stringify({ type: "ADDED", object: pod })}\n`);
  }

  private emit(type: WatchEvent, pod: PodJson): void {
    for (const watcher of this.watchers) {
      if (watcher.namespace === pod.metadata.namespace && matchesSelector(pod, watcher.selector)) {
        watcher.res.write(`${JSON.stringify({ type, object: pod })}\n`);
      }
    }
  }

  private touch(pod: PodJson): void {
    this.resourceVersion += 1;
    pod.metadata.resourceVersion = String(this.resourceVersion);
  }

  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const url = new URL(req.url ?? "/", this.url);
    const match = POD_PATH.exec(url.pathname);
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\ncontent-length: 0\r\n\r\n`);
    };
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return refuse(401, "Unauthorized");
    const injected = this.takeInjected("EXEC", url.pathname);
    if (injected !== undefined) return refuse(injected.status, injected.reason);
    const [, namespace = "", name = "", exec] = match ?? [];
    const pod = this.pods.get(`${namespace}/${name}`);
    if (exec === undefined || pod === undefined) return refuse(404, "Not Found");
    // A WebSocket upgrade is a GET, authorized as "get pods/exec"; from 1.35 the API server also
    // checks a synthetic "create" (AuthorizePodWebsocketUpgradeCreatePermission, kubernetes#134577).
    if (this.deniedAccess.has("get pods/exec") || this.deniedAccess.has("create pods/exec"))
      return refuse(403, "Forbidden");
    // The kubelet can only exec into a running container; the API server answers 400 otherwise.
    if (pod.status?.phase !== "Running") return refuse(400, "Bad Request");
    const container = url.searchParams.get("container") ?? "";
    const spec = pod.spec.containers.find((candidate) => candidate.name === container) as
      { env?: { name: string; value?: string }[] } | undefined;
    const call: ExecCall = {
      pod: name,
      container,
      argv: url.searchParams.getAll("command"),
      stdin: url.searchParams.get("stdin") === "true",
      env: Object.fromEntries((spec?.env ?? []).map((variable) => [variable.name, variable.value ?? ""])),
      protocol: "",
      pings: 0,
    };
    this.execCalls.push(call);
    this.websockets.handleUpgrade(req, socket, head, (ws) => {
      Object.assign(call, { protocol: ws.protocol });
      ws.on("ping", () => call.pings++);
      serveExec(ws, call, this.execRoot, this.workdir, this.execMode);
    });
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text === "" ? undefined : (JSON.parse(text) as unknown);
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

export async function startFakeKubeApi(workdir?: string): Promise<FakeKubeApi> {
  return new FakeKubeApi(workdir).start();
}
