import type { HubConfig } from "../config.js";
import { HubError, notFound } from "../errors.js";
import { isContainerId, newContainerId } from "../ids.js";
import type { HubMetrics } from "../metrics.js";
import { AdmissionGate } from "./admission.js";
import { checkCommandSize, checkContainerEnvSize } from "./exec-size.js";
import type { WarmPools } from "./pools/index.js";
import type {
  ContainerInfo,
  ContainerSpec,
  FileToWrite,
  Orchestrator,
  Placement,
  RunResult,
} from "../orchestrator/types.js";

/** What a caller may ask of a new container; every field already passed the route's schema. */
export interface CreateRequest {
  readonly image?: string | undefined;
  readonly cpu?: number | undefined;
  readonly memory?: number | undefined;
  readonly placement?: Placement | undefined;
  readonly ttlSeconds?: number | undefined;
  readonly env?: Readonly<Record<string, string>> | undefined;
  readonly ports?: readonly number[] | undefined;
}

export interface RunCommand {
  readonly command: readonly string[];
  readonly cwd?: string | undefined;
  readonly env?: Readonly<Record<string, string>> | undefined;
  readonly timeoutMs?: number | undefined;
}

/** The part of a logger the service writes to (a request's logger or the Hub's). */
export interface ServiceLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface ContainerServiceDeps {
  readonly config: HubConfig;
  readonly orchestrator: Orchestrator;
  readonly metrics: HubMetrics;
  /** Creates whose shape matches a pool claim a ready member first. */
  readonly pools?: WarmPools;
  /** Told after a delete, so the container's port URLs stop at once. */
  readonly deleted?: (id: string) => void;
}

/** A new container, and whether it came ready from a warm pool (`timings.claimed`) or was started cold. */
export type CreatedContainer = ContainerInfo & { readonly warm: boolean };

/**
 * What the Hub does with containers, apart from HTTP: defaults and lifetime from the
 * configuration, the placement this Hub serves, waiting for readiness (and cleaning up a
 * container that never got there), and the metrics of each outcome. Routes validate, call
 * this, and map errors.
 */
export class ContainerService {
  private readonly limits: HubConfig["limits"];
  /** Creates in flight and waiting, for /metrics and tests. */
  readonly creates: AdmissionGate;

  /** The placements this Hub serves, the first its default. */
  get placements(): readonly Placement[] {
    return this.deps.orchestrator.placements;
  }

  constructor(private readonly deps: ContainerServiceDeps) {
    this.limits = deps.config.limits;
    this.creates = new AdmissionGate({
      what: "creates",
      concurrency: deps.config.admission.createConcurrency,
      queueLimit: deps.config.admission.createQueue,
      queueVariable: "HUB_CREATE_QUEUE",
    });
  }

  get orchestrator(): Orchestrator {
    return this.deps.orchestrator;
  }

  /**
   * Claims a ready member of the warm pool of this shape, else creates the container cold and,
   * with `wait`, resolves once it is ready for commands. The orchestrator's create runs behind the
   * admission gate; a claim and waiting for readiness hold no slot.
   */
  async create(
    request: CreateRequest,
    options: { wait: boolean; log: ServiceLog; signal?: AbortSignal },
  ): Promise<CreatedContainer> {
    const started = performance.now();
    const spec = this.specFor(request);
    const claimed = await this.deps.pools?.claim(spec, options.log);
    if (claimed !== undefined) {
      // Ready when claimed: both phases are the claim's time since the request arrived.
      const ms = Math.max(0, Date.now() - spec.createdAt.getTime());
      const info = { ...claimed, timings: { ...claimed.timings, claimed: ms, ready: ms }, warm: true };
      this.deps.metrics.createSeconds.observe({ outcome: "ok" }, secondsSince(started));
      options.log.info(
        { id: info.id, warm: true, timings: info.timings },
        "container claimed from a warm pool",
      );
      return info;
    }
    try {
      let info = await this.creates.run(() => this.deps.orchestrator.create(spec), options.signal);
      if (options.wait) info = await this.waitOrCleanUp(spec.id, options.log);
      this.deps.metrics.createSeconds.observe({ outcome: "ok" }, secondsSince(started));
      options.log.info({ id: spec.id, status: info.status, timings: info.timings }, "container created");
      return { ...info, warm: false };
    } catch (error) {
      this.deps.metrics.createSeconds.observe({ outcome: "error" }, secondsSince(started));
      throw error;
    }
  }

  async list(): Promise<ContainerInfo[]> {
    return this.deps.orchestrator.list();
  }

  async get(id: string): Promise<ContainerInfo> {
    const info = isContainerId(id) ? await this.deps.orchestrator.get(id) : undefined;
    if (info === undefined) throw notFound(id);
    return info;
  }

  /** The container now expires `ttlSeconds` from now: a student's session kept alive. */
  async extend(id: string, ttlSeconds: number): Promise<ContainerInfo> {
    const info = await this.deps.orchestrator.extend(knownId(id), new Date(Date.now() + ttlSeconds * 1000));
    if (info === undefined) throw notFound(id);
    return info;
  }

  async delete(id: string): Promise<void> {
    const deleted = isContainerId(id) && (await this.deps.orchestrator.delete(id));
    if (!deleted) throw notFound(id);
    this.deps.deleted?.(id);
  }

  async writeFiles(id: string, files: readonly FileToWrite[]): Promise<void> {
    await this.deps.orchestrator.writeFiles(knownId(id), files);
  }

  async run(id: string, request: RunCommand): Promise<RunResult> {
    const started = performance.now();
    checkCommandSize(request.command, request.env);
    try {
      const result = await this.deps.orchestrator.run(knownId(id), {
        command: request.command,
        ...(request.cwd === undefined ? {} : { cwd: request.cwd }),
        ...(request.env === undefined ? {} : { env: request.env }),
        timeoutMs: request.timeoutMs ?? this.limits.runTimeoutDefaultMs,
        maxOutputBytes: this.limits.outputLimitBytes,
      });
      this.deps.metrics.runSeconds.observe(
        { outcome: result.timedOut ? "timeout" : "ok" },
        secondsSince(started),
      );
      return result;
    } catch (error) {
      this.deps.metrics.runSeconds.observe({ outcome: "error" }, secondsSince(started));
      throw error;
    }
  }

  /** The request with this Hub's defaults filled in; the one place a placement is checked against what the Hub serves. */
  specFor(request: CreateRequest): ContainerSpec {
    checkContainerEnvSize(request.env);
    const createdAt = new Date();
    const ttlSeconds = request.ttlSeconds ?? this.limits.ttlDefaultSeconds;
    return {
      id: newContainerId(),
      image: request.image ?? this.deps.config.defaultImage,
      cpu: request.cpu ?? this.limits.cpuDefault,
      memoryMiB: request.memory ?? this.limits.memoryDefaultMiB,
      placement: this.placementFor(request.placement),
      env: request.env ?? {},
      ports: request.ports ?? [],
      createdAt,
      expiresAt: new Date(createdAt.getTime() + ttlSeconds * 1000),
    };
  }

  private placementFor(requested: Placement | undefined): Placement {
    const served = this.deps.orchestrator.placements;
    const placement = requested ?? served[0];
    if (placement === undefined || !served.includes(placement)) {
      throw new HubError(
        "invalid_request",
        `placement must be one of ${served.join(", ")} on this Hub (got "${requested}")`,
      );
    }
    return placement;
  }

  /** Waits for readiness; a container that cannot start is deleted, as its id never reached the caller. */
  private async waitOrCleanUp(id: string, log: ServiceLog): Promise<ContainerInfo> {
    try {
      return await this.deps.orchestrator.waitReady(id, this.limits.createTimeoutMs);
    } catch (error) {
      await this.deps.orchestrator
        .delete(id)
        .catch((cleanupError: unknown) =>
          log.warn({ err: cleanupError, id }, "could not delete a container that failed to start"),
        );
      throw error;
    }
  }
}

function knownId(id: string): string {
  if (!isContainerId(id)) throw notFound(id);
  return id;
}

function secondsSince(started: number): number {
  return (performance.now() - started) / 1000;
}
