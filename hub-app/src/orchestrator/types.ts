import type { Logger } from "pino";
import type { OrchestratorKind, Placement } from "./registry.js";

export type { OrchestratorKind, Placement } from "./registry.js";

/**
 * The one interface every orchestrator (local, kubernetes, ecs) implements.
 *
 * The Hub keeps no state of its own: everything it needs to answer `get` and `list`
 * lives on the orchestrator (labels, annotations, tags), so a restarted Hub or a second
 * replica sees the same containers.
 */

/** `pending`: accepted, not yet ready for commands; `running`: ready; `failed`: cannot start or died; `terminating`: being deleted. */
export type ContainerStatus = "pending" | "running" | "failed" | "terminating";

/** What the Hub asks an orchestrator to create; validated and defaulted by the API layer. */
export interface ContainerSpec {
  /** `cnt-` + 5-12 lowercase letters/digits, chosen by the Hub. */
  readonly id: string;
  readonly image: string;
  /** vCPU, e.g. 0.25. */
  readonly cpu: number;
  /** MiB. */
  readonly memoryMiB: number;
  readonly placement: Placement;
  readonly env: Readonly<Record<string, string>>;
  readonly ports: readonly number[];
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

/**
 * Creation phases the orchestrator can see, in ms since `createdAt`
 * (e.g. accepted, scheduled, started, ready; `claimed` when a warm-pool member was handed out).
 * Keys an orchestrator cannot see are absent.
 */
export type ContainerTimings = Partial<
  Record<"accepted" | "scheduled" | "pulled" | "started" | "ready" | "claimed", number>
>;

/** A container as the API shows it. */
export interface ContainerInfo {
  readonly id: string;
  readonly status: ContainerStatus;
  readonly placement: Placement;
  readonly image: string;
  readonly cpu: number;
  readonly memory: number;
  readonly ip?: string;
  /** The ports the student's app may serve: the only ones the Hub's proxy ever connects to. */
  readonly ports: readonly number[];
  /** ISO 8601. */
  readonly createdAt: string;
  readonly readyAt?: string;
  readonly expiresAt: string;
  readonly timings: ContainerTimings;
  /** Why a container failed, when it did (e.g. `ImagePullBackOff: ...`). */
  readonly message?: string;
}

export interface FileToWrite {
  /** Relative to the container's working directory; already checked for `..` and absolute paths. */
  readonly path: string;
  readonly content: Buffer;
  /** POSIX mode, default 0o644. */
  readonly mode?: number;
}

export interface RunRequest {
  readonly command: readonly string[];
  /** Relative to the working directory. */
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** Bytes kept per stream; past it the output is cut and `truncated` is true. */
  readonly maxOutputBytes: number;
}

export interface RunResult {
  /** null when the command was killed (timeout) and no exit code exists. */
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly truncated: boolean;
  readonly durationMs: number;
}

/**
 * A sandbox started ahead of time for a warm pool. It is nobody's container: `list` and `get` do
 * not show it until a claim turns it into one.
 */
export interface PoolMember {
  /** The container id it gets when claimed, chosen by the Hub when it was started. */
  readonly id: string;
  /** The pool it was started for (the key the Hub passed to createPoolMember). */
  readonly pool: string;
  /** `running` members can be claimed; `failed` ones can never be and are deleted. */
  readonly status: ContainerStatus;
  /** ISO 8601: when it was started (members past a maximum age are recycled). */
  readonly createdAt: string;
  /** Opaque: claim and delete act only on the member as listed (a Kubernetes resourceVersion). */
  readonly version: string;
  /** Why it cannot be claimed, when `failed`. */
  readonly message?: string;
}

/** What a claim applies to the member: the request's own environment, ports and lifetime. */
export interface PoolClaim {
  readonly env: Readonly<Record<string, string>>;
  readonly ports: readonly number[];
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

/**
 * `claimed`: the member is now the caller's container, and nobody else's, on any Hub replica.
 * `lost`: another claim (or a delete) got it first, or it is gone or broken: try the next member.
 * `unsuitable`: this claim cannot be applied to a running member here (e.g. its env is too large
 * to store beside the sandbox): create the container cold.
 */
export type PoolClaimResult =
  | { readonly outcome: "claimed"; readonly info: ContainerInfo }
  | { readonly outcome: "lost" }
  | { readonly outcome: "unsuitable"; readonly reason: string };

/**
 * Where the Hub connects to reach a declared port of a running container: the pod's or task's
 * private address (kubernetes, ecs), or a unix socket the Hub alone can open (local: a relay inside
 * the sandbox's network namespace). Never taken from a request.
 */
export type PortTarget =
  | { readonly kind: "tcp"; readonly host: string; readonly port: number }
  | { readonly kind: "unix"; readonly socketPath: string };

export interface Orchestrator {
  readonly kind: OrchestratorKind;
  /** Placements this orchestrator serves; the first is the default. */
  readonly placements: readonly Placement[];
  /** Starts creating; resolves once the orchestrator has accepted it (status usually `pending`). */
  create(spec: ContainerSpec): Promise<ContainerInfo>;
  /**
   * Resolves when the container is running and ready for commands; rejects with a HubError
   * (`container_failed`) when it cannot start, or (`timeout`) past `timeoutMs`.
   */
  waitReady(id: string, timeoutMs: number): Promise<ContainerInfo>;
  /** undefined when there is no such container of this Hub. */
  get(id: string): Promise<ContainerInfo | undefined>;
  /** This Hub's containers only. */
  list(): Promise<ContainerInfo[]>;
  /** false when there was no such container. */
  delete(id: string): Promise<boolean>;
  /** Moves the container's expiry (kept on the orchestrator, like everything else); undefined when there is no such container. */
  extend(id: string, expiresAt: Date): Promise<ContainerInfo | undefined>;
  writeFiles(id: string, files: readonly FileToWrite[]): Promise<void>;
  run(id: string, request: RunRequest): Promise<RunResult>;
  /**
   * Starts a member of warm pool `pool` (a label value: letters, digits, '-', '.', '_', at most 63)
   * shaped like `spec`; `spec.env` and `spec.ports` are empty, `spec.id` is its future container id.
   * Resolves once accepted (usually `pending`).
   */
  createPoolMember(pool: string, spec: ContainerSpec): Promise<PoolMember>;
  /** This Hub's unclaimed members of every pool that this replica may claim or must clean up. */
  listPoolMembers(): Promise<PoolMember[]>;
  /**
   * Turns the member into a container carrying the claim's env, ports and lifetime, atomically
   * across every Hub replica: of concurrent claims of one member exactly one is `claimed`.
   */
  claimPoolMember(member: PoolMember, claim: PoolClaim): Promise<PoolClaimResult>;
  /** Deletes an unclaimed member (shrink, recycle, failed); false when it was claimed meanwhile or is gone. */
  deletePoolMember(member: PoolMember): Promise<boolean>;
  /**
   * Where to connect for `port` of `container` (as `get` returned it, running, `port` among its
   * `ports`: the caller checked both). Rejects with a HubError `conflict` when the container has no
   * address yet, `not_found` when it is gone.
   */
  portTarget(container: ContainerInfo, port: number): Promise<PortTarget>;
  /** Throws when the orchestrator cannot be reached (readiness). */
  ping(): Promise<void>;
  /**
   * Optional housekeeping the reaper runs before each pass: account for whatever a Hub that stopped
   * mid-way left behind (the local orchestrator's folders and processes).
   */
  reconcile?(): Promise<void>;
  /** Releases watches, sockets and child processes. Does not delete containers. */
  close(): Promise<void>;
}

/** What every orchestrator factory receives besides its own settings. */
export interface OrchestratorContext {
  /** This Hub's name; sandboxes are labelled/tagged with it so `list` shows only this Hub's. */
  readonly instance: string;
  readonly logger: Logger;
  /**
   * Where the Hub's own code lives (its entry point's folder). The local orchestrator hides the
   * project around it from sandboxes; absent, it takes the folder of the script Node started.
   */
  readonly codeDirectory?: string;
}
