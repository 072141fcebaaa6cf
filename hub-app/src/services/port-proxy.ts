import { Agent, type ClientRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { ProxyServer } from "http-proxy-3";
import type { Logger } from "pino";
import { HubError } from "../errors.js";
import type { ContainerInfo, Orchestrator, PortTarget } from "../orchestrator/types.js";
import { ContainerConnections } from "./container-connections.js";
import { forwardedPath, hubAuthorizationDigest, rewriteHeaders } from "./forwarded-request.js";
import { decideAccess } from "./port-access.js";
import { portAddressOf, type PortAddress, type PortUrlShape } from "./port-addresses.js";
import { refuseUpgrade, sendRefusal, type ProxyRefusal } from "./proxy-pages.js";

export interface PortProxySettings {
  readonly shape: PortUrlShape;
  /** `http` or `https`, as the browser sees the Hub (X-Forwarded-Proto, the cookie's Secure). */
  readonly publicProto: string;
  /** Dialing the app: past this, nothing is listening (502). */
  readonly connectTimeoutMs: number;
  /** Connected, waiting for the response's headers: past this, the app hangs (504). */
  readonly responseTimeoutMs: number;
  readonly maxConnectionsPerContainer: number;
}

export interface PortProxyDeps {
  readonly orchestrator: Orchestrator;
  readonly apiToken: string;
  readonly key: Buffer;
  readonly settings: PortProxySettings;
  readonly logger: Logger;
}

// A container looked up less than this long ago is trusted: ECS DescribeTasks per request would be throttled.
const LOOKUP_CACHE_MS = 2000;
const TIMED_OUT = "HUB_APP_TIMEOUT";

/**
 * The way in to a container's declared ports: checks the credential, finds the container (never
 * anything named by the request), caps its connections and streams HTTP, SSE and WebSockets both
 * ways with http-proxy-3. Requests that are not for a port URL are left to the Hub's API.
 */
export class PortProxy {
  private readonly proxy = new ProxyServer();
  // Keep-alive to the apps: a local relay forks per connection, a pod pays a TCP handshake.
  private readonly agent = new Agent({ keepAlive: true });
  private readonly connections: ContainerConnections;
  private readonly lookups = new Map<string, { info: ContainerInfo; until: number }>();
  private readonly hubAuthorization: Buffer;

  constructor(private readonly deps: PortProxyDeps) {
    this.connections = new ContainerConnections(deps.settings.maxConnectionsPerContainer);
    this.hubAuthorization = hubAuthorizationDigest(deps.apiToken);
    this.proxy.on("proxyReq", (proxyReq, _req, _res, _options, socket) => this.arm(proxyReq, socket));
    this.proxy.on("proxyReqWs", (proxyReq) =>
      proxyReq.once("socket", (socket: Socket) => this.arm(proxyReq, socket)),
    );
  }

  /** The port address a request is for, or undefined when it belongs to the Hub's API. */
  addressOf(req: IncomingMessage): PortAddress | undefined {
    return portAddressOf(this.deps.settings.shape, req.headers.host, req.url ?? "/");
  }

  /** Serves one HTTP request for `address`. Never throws: every failure is a page. */
  web(req: IncomingMessage, res: ServerResponse, address: PortAddress): void {
    this.serveWeb(req, res, address).catch((error: unknown) => {
      this.fail(req, res, address, error);
    });
  }

  /** Serves one WebSocket handshake for `address`. Never throws. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, address: PortAddress): void {
    this.serveUpgrade(req, socket, head, address).catch((error: unknown) => {
      refuseUpgrade(socket, this.refusalFor(address, error));
    });
  }

  /** The container was deleted: forget it and cut its connections now. */
  forget(id: string): void {
    this.lookups.delete(id);
    this.connections.closeAll(id);
  }

  close(): void {
    this.connections.closeEverything();
    this.agent.destroy();
  }

  private async serveWeb(req: IncomingMessage, res: ServerResponse, address: PortAddress): Promise<void> {
    if (address.needsSlash) {
      res.writeHead(308, { location: `${address.prefix}${address.path}` }).end();
      return;
    }
    const access = this.access(req, address);
    if (!access.allowed) return sendRefusal(req, res, access.refusal);
    if (access.setCookie !== undefined && (req.method === "GET" || req.method === "HEAD")) {
      // The link's token leaves the address bar (and the app's view of the URL) at once.
      const location = `${address.prefix ?? ""}${forwardedPath(address)}`;
      res.writeHead(302, { location, "set-cookie": access.setCookie, "cache-control": "no-store" }).end();
      return;
    }
    const target = await this.targetFor(address);
    if (!this.connections.admit(address.id, res)) return sendRefusal(req, res, this.capRefusal(address));
    if (access.setCookie !== undefined) res.setHeader("set-cookie", access.setCookie);
    this.prepare(req, address, false);
    this.proxy.web(req, res, { ...destination(target), agent: this.agent }, (error: Error) =>
      this.fail(req, res, address, error),
    );
  }

  private async serveUpgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    address: PortAddress,
  ): Promise<void> {
    const access = this.access(req, address);
    if (!access.allowed) return refuseUpgrade(socket, access.refusal);
    const target = await this.targetFor(address);
    if (!this.connections.admit(address.id, socket)) {
      return refuseUpgrade(socket, this.capRefusal(address));
    }
    this.prepare(req, address, true);
    this.proxy.ws(req, socket, head, destination(target), (error: Error) => {
      this.invalidate(address.id);
      refuseUpgrade(socket, this.refusalFor(address, error));
    });
  }

  private access(req: IncomingMessage, address: PortAddress) {
    return decideAccess(this.deps.key, req, address, {
      secure: this.deps.settings.publicProto === "https",
      nowSeconds: Math.floor(Date.now() / 1000),
    });
  }

  private prepare(req: IncomingMessage, address: PortAddress, upgrade: boolean): void {
    rewriteHeaders(req, {
      address,
      publicProto: this.deps.settings.publicProto,
      hubAuthorization: this.hubAuthorization,
      upgrade,
    });
    req.url = forwardedPath(address);
  }

  /** The container behind the address, running, with the port declared, and where to dial it. */
  private async targetFor(address: PortAddress): Promise<PortTarget> {
    const info = await this.lookup(address.id);
    if (info === undefined || Date.parse(info.expiresAt) <= Date.now()) {
      this.lookups.delete(address.id);
      throw new HubError("not_found", `there is no container ${address.id} any more (deleted or expired)`);
    }
    if (info.status !== "running") {
      throw new HubError("conflict", `container ${address.id} is ${info.status}, not running`);
    }
    if (!info.ports.includes(address.port)) {
      throw new HubError("not_found", `container ${address.id} does not declare port ${address.port}`);
    }
    return this.deps.orchestrator.portTarget(info, address.port);
  }

  private async lookup(id: string): Promise<ContainerInfo | undefined> {
    const cached = this.lookups.get(id);
    if (cached !== undefined && cached.until > Date.now()) return cached.info;
    const info = await this.deps.orchestrator.get(id);
    if (info === undefined) this.lookups.delete(id);
    else this.lookups.set(id, { info, until: Date.now() + LOOKUP_CACHE_MS });
    return info;
  }

  private invalidate(id: string): void {
    this.lookups.delete(id);
  }

  /** Timers on the outgoing request: connecting (502 past it) and waiting for headers (504 past it). */
  private arm(proxyReq: ClientRequest, socket: Socket): void {
    const { connectTimeoutMs, responseTimeoutMs } = this.deps.settings;
    const connecting = socket.connecting;
    const connectTimer = connecting
      ? setTimeout(() => proxyReq.destroy(timeoutError("ETIMEDOUT")), connectTimeoutMs)
      : undefined;
    const responseTimer = setTimeout(() => proxyReq.destroy(timeoutError(TIMED_OUT)), responseTimeoutMs);
    if (connecting) socket.once("connect", () => clearTimeout(connectTimer));
    const clear = (): void => {
      clearTimeout(connectTimer);
      clearTimeout(responseTimer);
    };
    proxyReq.once("response", clear);
    proxyReq.once("upgrade", clear);
    proxyReq.once("close", clear);
  }

  private fail(req: IncomingMessage, res: ServerResponse, address: PortAddress, error: unknown): void {
    this.invalidate(address.id);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendRefusal(req, res, this.refusalFor(address, error));
  }

  private refusalFor(address: PortAddress, error: unknown): ProxyRefusal {
    if (error instanceof HubError && error.status < 500) return { code: error.code, message: error.message };
    const code = (error as NodeJS.ErrnoException).code;
    const where = `port ${address.port} in ${address.id}`;
    if (code === TIMED_OUT) {
      const seconds = this.deps.settings.responseTimeoutMs / 1000;
      return { code: "app_timeout", message: `the app on ${where} did not answer within ${seconds} s` };
    }
    if (error instanceof HubError) {
      this.deps.logger.warn(
        { err: error, id: address.id, port: address.port },
        "port URL: cannot reach the container",
      );
      return { code: error.code, message: error.message };
    }
    this.deps.logger.debug({ err: error, id: address.id, port: address.port }, "port URL: app unreachable");
    return {
      code: "app_unreachable",
      message: `nothing is listening on ${where} yet (the app must listen on 0.0.0.0:${address.port})`,
    };
  }

  private capRefusal(address: PortAddress): ProxyRefusal {
    return {
      code: "throttled",
      message: `container ${address.id} already has ${this.connections.limit} open connections through the Hub`,
      retryAfterSeconds: 1,
    };
  }
}

function destination(target: PortTarget) {
  return target.kind === "tcp"
    ? { target: { protocol: "http:", host: target.host, port: target.port } }
    : { target: { protocol: "http:", host: "localhost", port: 80, socketPath: target.socketPath } };
}

function timeoutError(code: string): Error {
  return Object.assign(new Error(code), { code });
}
