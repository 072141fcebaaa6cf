/* eslint-disable @typescript-eslint/require-await -- a test fake answers at once, yet implements an async interface */
import { HubError, notFound } from "../../src/errors.js";
import type {
  ContainerInfo,
  ContainerSpec,
  FileToWrite,
  Orchestrator,
  Placement,
  PoolClaim,
  PoolClaimResult,
  PoolMember,
  PortTarget,
  RunRequest,
  RunResult,
} from "../../src/orchestrator/types.js";

/**
 * TEST FAKE: an in-memory orchestrator for HTTP-layer tests only. It records what the API asked
 * for, and `failNext` makes the next call throw, to drive the error paths.
 */
export class FakeOrchestrator implements Orchestrator {
  readonly kind = "local" as const;
  readonly containers = new Map<string, ContainerInfo>();
  readonly specs: ContainerSpec[] = [];
  readonly files = new Map<string, FileToWrite[]>();
  readonly runs: RunRequest[] = [];
  /** Warm-pool members by id, and the spec each was started with. */
  readonly members = new Map<string, { member: PoolMember; spec: ContainerSpec }>();
  readonly claims: PoolClaim[] = [];
  /** Where `portTarget` sends `<id>:<port>` (a test server); absent ones have no address. */
  readonly portTargets = new Map<string, PortTarget>();
  /** While set, new pool members wait for it before they exist (a pool that cannot refill yet). */
  poolStartGate: Promise<void> | undefined;
  pingError: Error | undefined;
  closed = false;
  listCalls = 0;
  /** Creates in progress right now (held ones included). */
  creating = 0;
  private held: Promise<void> | undefined;
  private failure: Error | undefined;

  constructor(readonly placements: readonly Placement[] = ["local"]) {}

  failNext(error: Error): void {
    this.failure = error;
  }

  private maybeFail(): void {
    if (this.failure === undefined) return;
    const error = this.failure;
    this.failure = undefined;
    throw error;
  }

  /** Every create from now waits until the returned function is called. */
  holdCreates(): () => void {
    let release: () => void = () => undefined;
    this.held = new Promise((resolve) => (release = resolve));
    return () => {
      this.held = undefined;
      release();
    };
  }

  async create(spec: ContainerSpec): Promise<ContainerInfo> {
    this.creating += 1;
    try {
      await this.held;
    } finally {
      this.creating -= 1;
    }
    this.maybeFail();
    this.specs.push(spec);
    const info: ContainerInfo = {
      id: spec.id,
      status: "pending",
      placement: spec.placement,
      image: spec.image,
      cpu: spec.cpu,
      memory: spec.memoryMiB,
      ports: spec.ports,
      createdAt: spec.createdAt.toISOString(),
      expiresAt: spec.expiresAt.toISOString(),
      timings: { accepted: 1 },
    };
    this.containers.set(spec.id, info);
    return info;
  }

  async waitReady(id: string): Promise<ContainerInfo> {
    this.maybeFail();
    const info = this.containers.get(id)!;
    const ready: ContainerInfo = {
      ...info,
      status: "running",
      readyAt: info.createdAt,
      timings: { accepted: 1, ready: 2 },
    };
    this.containers.set(id, ready);
    return ready;
  }

  async get(id: string): Promise<ContainerInfo | undefined> {
    this.maybeFail();
    return this.containers.get(id);
  }

  async extend(id: string, expiresAt: Date): Promise<ContainerInfo | undefined> {
    this.maybeFail();
    const info = this.containers.get(id);
    if (info === undefined) return undefined;
    const extended = { ...info, expiresAt: expiresAt.toISOString() };
    this.containers.set(id, extended);
    return extended;
  }

  async list(): Promise<ContainerInfo[]> {
    this.listCalls += 1;
    this.maybeFail();
    return [...this.containers.values()];
  }

  async delete(id: string): Promise<boolean> {
    this.maybeFail();
    return this.containers.delete(id);
  }

  async writeFiles(id: string, files: readonly FileToWrite[]): Promise<void> {
    this.maybeFail();
    this.requireContainer(id);
    this.files.set(id, [...(this.files.get(id) ?? []), ...files]);
  }

  async run(id: string, request: RunRequest): Promise<RunResult> {
    this.maybeFail();
    this.requireContainer(id);
    this.runs.push(request);
    return {
      exitCode: 0,
      stdout: request.command.join(" "),
      stderr: "",
      timedOut: false,
      truncated: false,
      durationMs: 1,
    };
  }

  async createPoolMember(pool: string, spec: ContainerSpec): Promise<PoolMember> {
    this.maybeFail();
    await this.poolStartGate;
    const member: PoolMember = {
      id: spec.id,
      pool,
      status: "running",
      createdAt: spec.createdAt.toISOString(),
      version: "1",
    };
    this.members.set(spec.id, { member, spec });
    return member;
  }

  async listPoolMembers(): Promise<PoolMember[]> {
    this.maybeFail();
    return [...this.members.values()].map((entry) => entry.member);
  }

  async claimPoolMember(member: PoolMember, claim: PoolClaim): Promise<PoolClaimResult> {
    this.maybeFail();
    const entry = this.members.get(member.id);
    if (entry === undefined) return { outcome: "lost" };
    this.members.delete(member.id);
    this.claims.push(claim);
    const info: ContainerInfo = {
      id: member.id,
      status: "running",
      placement: entry.spec.placement,
      image: entry.spec.image,
      cpu: entry.spec.cpu,
      memory: entry.spec.memoryMiB,
      ports: claim.ports,
      createdAt: claim.createdAt.toISOString(),
      expiresAt: claim.expiresAt.toISOString(),
      timings: {},
    };
    this.containers.set(member.id, info);
    return { outcome: "claimed", info };
  }

  async deletePoolMember(member: PoolMember): Promise<boolean> {
    this.maybeFail();
    return this.members.delete(member.id);
  }

  async portTarget(container: ContainerInfo, port: number): Promise<PortTarget> {
    this.maybeFail();
    this.requireContainer(container.id);
    const target = this.portTargets.get(`${container.id}:${port}`);
    if (target === undefined) throw new HubError("conflict", `container ${container.id} has no address`);
    return target;
  }

  async ping(): Promise<void> {
    if (this.pingError) throw this.pingError;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private requireContainer(id: string): void {
    if (!this.containers.has(id)) throw notFound(id);
  }
}
