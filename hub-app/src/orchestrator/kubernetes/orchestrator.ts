/** The Kubernetes orchestrator: a Pod per sandbox, readiness from one shared watch, commands and files over exec. */
import {
  PatchStrategy,
  setHeaderOptions,
  type AuthorizationV1Api,
  type CoreV1Api,
  type Exec,
  type V1Pod,
} from "@kubernetes/client-node";
import { HubError, notFound } from "../../errors.js";
import { commandIntoFiles, KILL_AFTER_SECONDS, killedByTimeout } from "../command-script.js";
import { METADATA_KEY } from "../metadata-keys.js";
import { tarArchive } from "../tar-archive.js";
import { addressTarget } from "../address-target.js";
import type {
  ContainerInfo,
  ContainerSpec,
  FileToWrite,
  Orchestrator,
  OrchestratorContext,
  Placement,
  PoolClaim,
  PoolClaimResult,
  PoolMember,
  PortTarget,
  RunRequest,
  RunResult,
} from "../types.js";
import { callKube } from "./api-errors.js";
import { podWarnings, withWarnings } from "./pod-events.js";
import { ACCESS_CHECK_TTL_MS, checkSandboxAccess } from "./rbac-check.js";
import { execInPod, type ExecOutcome } from "./pod-exec.js";
import { podToInfo, type PodReading } from "./pod-info.js";
import { claimedEnv, KubernetesPoolMembers, MAX_CLAIM_ENV_BYTES } from "./pool-members.js";
import {
  buildSandboxPod,
  instanceSelector,
  podName,
  SANDBOX_CONTAINER,
  sandboxSelector,
} from "./pod-spec.js";
import type { PodWatcher } from "./pod-watcher.js";
import { waitForReadyPod } from "./wait-ready.js";
import type { KubernetesSettings } from "./settings.js";

/** How long the Hub waits past a command's own `timeout` kill before it closes the exec socket itself. */
const EXEC_SLACK_MS = 5000;
const WRITE_FILES_TIMEOUT_MS = 60_000;
const WRITE_FILES_OUTPUT_BYTES = 64 * 1024;
/** Enough for the pod to see SIGTERM; the keep-alive command exits on it at once. */
const DELETE_GRACE_SECONDS = 1;

export interface KubernetesParts {
  readonly core: CoreV1Api;
  readonly authorization: AuthorizationV1Api;
  readonly exec: Exec;
  readonly watcher: PodWatcher;
  readonly now: () => number;
}

export class KubernetesOrchestrator implements Orchestrator {
  readonly kind = "kubernetes" as const;
  readonly placements: readonly Placement[];
  private readonly labelSelector: string;
  private accessCheckedUntil = 0;
  /** Sandbox id -> its Pod's name and a claimed member's env, as last read (bounded by the Pods of this Hub that exist). */
  private readonly known = new Map<string, { name: string; env: Record<string, string> }>();
  private readonly members: KubernetesPoolMembers;

  constructor(
    private readonly settings: KubernetesSettings,
    private readonly context: OrchestratorContext,
    private readonly parts: KubernetesParts,
  ) {
    this.placements = settings.placements;
    this.labelSelector = instanceSelector(context.instance);
    this.members = new KubernetesPoolMembers({
      core: parts.core,
      settings,
      instance: context.instance,
      reading: () => this.reading(),
    });
  }

  async create(spec: ContainerSpec): Promise<ContainerInfo> {
    const body = buildSandboxPod(spec, this.settings, this.context.instance);
    const { namespace } = this.settings;
    const pod = await callKube(`create pod ${spec.id} in namespace ${namespace}`, () =>
      this.parts.core.createNamespacedPod({ namespace, body }),
    );
    this.context.logger.info(
      { id: spec.id, placement: spec.placement, image: spec.image },
      "sandbox pod created",
    );
    this.remember(spec.id, pod);
    return this.infoOf(pod) ?? this.unreadable(spec.id);
  }

  async waitReady(id: string, timeoutMs: number): Promise<ContainerInfo> {
    return waitForReadyPod({
      id,
      timeoutMs,
      unschedulableDeadlineMs: this.settings.unschedulableDeadlineMs,
      watcher: this.parts.watcher,
      now: this.parts.now,
      readPod: (podId) => this.readPod(podId),
      infoOf: (pod) => this.infoOf(pod),
      explained: (podId, message) => this.explained(podId, message),
    });
  }

  async get(id: string): Promise<ContainerInfo | undefined> {
    const pod = await this.readPod(id);
    return pod === undefined ? undefined : this.infoOf(pod);
  }

  async list(): Promise<ContainerInfo[]> {
    const { namespace } = this.settings;
    const pods = await callKube(`list pods in namespace ${namespace}`, () =>
      this.parts.core.listNamespacedPod({ namespace, labelSelector: this.labelSelector }),
    );
    return pods.items
      .map((pod) => this.infoOf(pod))
      .filter((info): info is ContainerInfo => info !== undefined);
  }

  async extend(id: string, expiresAt: Date): Promise<ContainerInfo | undefined> {
    const pod = await this.readPod(id);
    if (pod === undefined || pod.metadata?.deletionTimestamp !== undefined) return undefined;
    const { namespace } = this.settings;
    try {
      const patched = await callKube(`patch pod ${id} in namespace ${namespace}`, () =>
        this.parts.core.patchNamespacedPod(
          {
            name: podName(pod),
            namespace,
            // A merge patch of one annotation; the uid test makes it fail on a newer pod that reused the name.
            body: {
              metadata: {
                uid: pod.metadata?.uid,
                annotations: { [METADATA_KEY.expiresAt]: expiresAt.toISOString() },
              },
            },
          },
          setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
        ),
      );
      return this.infoOf(patched);
    } catch (error) {
      if (error instanceof HubError && error.code === "not_found") return undefined;
      throw error;
    }
  }

  async delete(id: string): Promise<boolean> {
    const pod = await this.readPod(id);
    // Already terminating: deleted by an earlier call, so this one is the caller's second delete.
    if (pod === undefined || this.infoOf(pod) === undefined || pod.metadata?.deletionTimestamp !== undefined)
      return false;
    const { namespace } = this.settings;
    try {
      await callKube(`delete pod ${id} in namespace ${namespace}`, () =>
        this.parts.core.deleteNamespacedPod({
          name: podName(pod),
          namespace,
          gracePeriodSeconds: DELETE_GRACE_SECONDS,
          // Only the pod that was read: never a newer pod that reused the name.
          body: { preconditions: { uid: pod.metadata?.uid } },
        }),
      );
    } catch (error) {
      if (error instanceof HubError && error.code === "not_found") return false;
      throw error;
    } finally {
      this.known.delete(id);
    }
    return true;
  }

  async run(id: string, request: RunRequest): Promise<RunResult> {
    const keep = request.maxOutputBytes + 1;
    // A claimed pool member's env comes first, as a cold Pod's own env would (the request's wins).
    const env = { ...(await this.envOf(id)), ...request.env };
    const script = [
      ...commandIntoFiles({ ...request, env }, this.settings.workdir),
      `head -c ${keep} "$d/o"`,
      `head -c ${keep} "$d/e" >&2`,
      'rm -rf "$d"',
      'exit "$c"',
    ].join("; ");
    const started = this.parts.now();
    const outcome = await this.execIn(id, ["/bin/sh", "-c", script], {
      deadlineMs: request.timeoutMs + KILL_AFTER_SECONDS * 1000 + EXEC_SLACK_MS,
      maxOutputBytes: request.maxOutputBytes,
    });
    const durationMs = this.parts.now() - started;
    const timedOut =
      outcome.exitCode === undefined || killedByTimeout(outcome.exitCode, durationMs, request.timeoutMs);
    return {
      exitCode: timedOut ? null : (outcome.exitCode ?? null),
      stdout: outcome.stdout,
      stderr: outcome.stderr,
      timedOut,
      truncated: outcome.truncated,
      durationMs,
    };
  }

  async writeFiles(id: string, files: readonly FileToWrite[]): Promise<void> {
    const outcome = await this.execIn(id, ["tar", "-x", "-f", "-", "-C", this.settings.workdir], {
      stdin: await tarArchive(files),
      deadlineMs: WRITE_FILES_TIMEOUT_MS,
      maxOutputBytes: WRITE_FILES_OUTPUT_BYTES,
    });
    if (outcome.exitCode === undefined) {
      throw new HubError(
        "timeout",
        `writing ${files.length} files into sandbox ${id} took over ${WRITE_FILES_TIMEOUT_MS} ms`,
      );
    }
    if (outcome.exitCode !== 0) {
      throw new HubError(
        "invalid_request",
        `cannot write the files: ${outcome.stderr.trim() || `tar exited ${outcome.exitCode}`}`,
      );
    }
  }

  /** The pod's IP: the sandbox NetworkPolicy admits the Hub's pods on the declared ports. */
  portTarget(container: ContainerInfo, port: number): Promise<PortTarget> {
    return Promise.resolve(addressTarget(container, port));
  }

  async ping(): Promise<void> {
    const { namespace } = this.settings;
    // One cheap read with the Hub's own rights: proves the API is reachable and RBAC allows listing sandboxes.
    await callKube(`list pods in namespace ${namespace}`, () =>
      this.parts.core.listNamespacedPod({ namespace, labelSelector: this.labelSelector, limit: 1 }),
    );
    if (this.parts.now() < this.accessCheckedUntil) return;
    await checkSandboxAccess(this.parts.authorization, namespace);
    this.accessCheckedUntil = this.parts.now() + ACCESS_CHECK_TTL_MS;
  }

  async close(): Promise<void> {
    this.parts.watcher.close();
    return Promise.resolve();
  }

  createPoolMember(pool: string, spec: ContainerSpec): Promise<PoolMember> {
    return this.members.create(pool, spec);
  }

  listPoolMembers(): Promise<PoolMember[]> {
    return this.members.list();
  }

  async claimPoolMember(member: PoolMember, claim: PoolClaim): Promise<PoolClaimResult> {
    const envJson = JSON.stringify(claim.env);
    if (Buffer.byteLength(envJson) > MAX_CLAIM_ENV_BYTES) {
      return {
        outcome: "unsuitable",
        reason: `env over ${MAX_CLAIM_ENV_BYTES} bytes of JSON does not fit in an annotation`,
      };
    }
    const pod = await this.members.claim(member, claim, envJson);
    if (pod === undefined) return { outcome: "lost" };
    this.remember(member.id, pod);
    const info = this.infoOf(pod);
    if (info?.status === "running") return { outcome: "claimed", info };
    // Ours now, but it stopped after it was listed: nobody can use it.
    await this.delete(member.id).catch((error: unknown) =>
      this.context.logger.warn(
        { err: error, id: member.id },
        "could not delete a broken claimed pool member",
      ),
    );
    return { outcome: "lost" };
  }

  deletePoolMember(member: PoolMember): Promise<boolean> {
    return this.members.delete(member, DELETE_GRACE_SECONDS);
  }

  private reading(): PodReading {
    return {
      instance: this.context.instance,
      unschedulableDeadlineMs: this.settings.unschedulableDeadlineMs,
      nowMs: this.parts.now(),
    };
  }

  private infoOf(pod: V1Pod): ContainerInfo | undefined {
    return podToInfo(pod, this.reading());
  }

  private remember(id: string, pod: V1Pod): void {
    this.known.set(id, { name: podName(pod), env: claimedEnv(pod) });
  }

  /** A claimed member's env (immutable once claimed): from memory, else read from its Pod. */
  private async envOf(id: string): Promise<Record<string, string>> {
    const known = this.known.get(id);
    if (known !== undefined) return known.env;
    await this.readPod(id);
    return this.known.get(id)?.env ?? {};
  }

  /**
   * The sandbox Pod with this id, found by its `sandbox.hub/id` label rather than its name: a Pod
   * adopted into this role (a claimed pool member) keeps its own name. Remembers the name for exec.
   */
  private async readPod(id: string): Promise<V1Pod | undefined> {
    const { namespace } = this.settings;
    const pods = await callKube(`find the pod of sandbox ${id} in namespace ${namespace}`, () =>
      this.parts.core.listNamespacedPod({
        namespace,
        labelSelector: sandboxSelector(this.context.instance, id),
      }),
    );
    const pod = pods.items.find((candidate) => this.infoOf(candidate)?.id === id);
    if (pod === undefined) this.known.delete(id);
    else this.remember(id, pod);
    return pod;
  }

  /**
   * Exec on the hot path goes straight to the pod; only when it fails is the pod read, to answer
   * 404 / not ready / failed instead of a bare WebSocket error.
   */
  private async execIn(
    id: string,
    argv: readonly string[],
    options: Parameters<typeof execInPod>[3],
  ): Promise<ExecOutcome> {
    try {
      // The name from an earlier read; a Hub that never saw this sandbox finds it first.
      const name = this.known.get(id)?.name ?? (await this.readPod(id).then((pod) => pod && podName(pod)));
      if (name === undefined) throw notFound(id);
      const target = { namespace: this.settings.namespace, pod: name, container: SANDBOX_CONTAINER };
      return await execInPod(this.parts.exec, target, argv, options);
    } catch (error) {
      const pod = await this.readPod(id);
      const info = pod === undefined ? undefined : this.infoOf(pod);
      // Deleted meanwhile (the pod is terminating): gone for the caller, as a second DELETE says.
      if (info === undefined || info.status === "terminating") throw notFound(id);
      if (info.status === "failed") {
        throw new HubError(
          "container_failed",
          `sandbox ${id} has stopped: ${info.message ?? "no reason given"}`,
        );
      }
      if (info.status !== "running")
        throw new HubError("conflict", `sandbox ${id} is ${info.status}, not ready for commands`);
      throw error;
    }
  }

  /** `message` with the Pod's warning events appended; unchanged when the events cannot be read. */
  private async explained(id: string, message: string): Promise<string> {
    try {
      return withWarnings(message, await podWarnings(this.parts.core, this.settings.namespace, id));
    } catch (error) {
      this.context.logger.debug({ err: error, id }, "cannot read the sandbox pod's events");
      return message;
    }
  }

  private unreadable(id: string): never {
    throw new HubError(
      "internal",
      `Kubernetes created pod ${id} but it does not read back as this Hub's sandbox`,
    );
  }
}
