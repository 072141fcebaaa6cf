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
 * (e.g. accepted, scheduled, started, ready). Keys an orchestrator cannot see are absent.
 */
export type ContainerTimings = Partial<
  Record<"accepted" | "scheduled" | "pulled" | "started" | "ready", number>
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
  /** Throws when the orchestrator cannot be reached (readiness). */
  ping(): Promise<void>;
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
