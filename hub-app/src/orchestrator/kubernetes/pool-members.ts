/**
 * Warm-pool members on Kubernetes: ready sandbox Pods labelled `sandbox.hub/warm-pool=<pool>`.
 *
 * A claim is one JSON merge patch that drops the pool label and writes the claim's annotations
 * (created-at, expires-at, env, ports), carrying the `metadata.resourceVersion` the member was
 * listed with. The API server applies a patch that names a resourceVersion only to that version
 * of the object and answers 409 Conflict otherwise (optimistic concurrency, as controller-runtime's
 * `client.MergeFromWithOptimisticLock` uses it, sigs.k8s.io/controller-runtime pkg/client/patch.go).
 * Every change to a Pod bumps its resourceVersion, so of any number of claims of one member,
 * made by any number of Hub replicas, exactly one succeeds: the others see 409 and take the next.
 * A delete of a member (shrink, recycle) carries the same resourceVersion as a precondition, so a
 * member claimed meanwhile is never deleted from under its new owner.
 *
 * A Pod's env is fixed when it starts. The claim's env is kept in the `sandbox.hub/env`
 * annotation, which only the Hub writes, and every later command exports it before it runs
 * (as the container's own env would be), so a claimed sandbox behaves like one created cold.
 */
import { PatchStrategy, setHeaderOptions, type CoreV1Api, type V1Pod } from "@kubernetes/client-node";
import { HubError } from "../../errors.js";
import { envFromJson } from "../claim-env.js";
import { METADATA_KEY } from "../metadata-keys.js";
import { formatPortList } from "../port-list.js";
import type { ContainerSpec, PoolClaim, PoolMember } from "../types.js";
import { apiStatusCode, callKube, toHubError } from "./api-errors.js";
import { createdMsOf, podStatus, type PodReading } from "./pod-info.js";
import { buildSandboxPod, instanceSelector } from "./pod-spec.js";
import type { KubernetesSettings } from "./settings.js";

/**
 * Annotations of one object may total 256 KiB (apimachinery, ValidateAnnotations'
 * TotalAnnotationSizeLimitB); a claim's env above half of that is created cold instead.
 */
export const MAX_CLAIM_ENV_BYTES = 128 * 1024;

/** This Hub's members of every pool: a label-existence selector on the pool label. */
export function memberSelector(instance: string): string {
  return `${instanceSelector(instance)},${METADATA_KEY.warmPool}`;
}

/** A sandbox Pod with no env and no ports, waiting in `pool`. */
export function buildMemberPod(
  pool: string,
  spec: ContainerSpec,
  settings: KubernetesSettings,
  instance: string,
): V1Pod {
  const pod = buildSandboxPod({ ...spec, env: {}, ports: [] }, settings, instance);
  return {
    ...pod,
    metadata: { ...pod.metadata, labels: { ...pod.metadata?.labels, [METADATA_KEY.warmPool]: pool } },
  };
}

/** undefined when the Pod is not an unclaimed member of this Hub's pools. */
export function podToMember(pod: V1Pod, reading: PodReading): PoolMember | undefined {
  const labels = pod.metadata?.labels ?? {};
  const pool = labels[METADATA_KEY.warmPool];
  const id = labels[METADATA_KEY.id];
  const version = pod.metadata?.resourceVersion;
  if (labels[METADATA_KEY.instance] !== reading.instance || pool === undefined || id === undefined)
    return undefined;
  if (version === undefined) return undefined;
  const createdMs = createdMsOf(pod, reading.nowMs);
  const { status, failure } = podStatus(pod, createdMs, reading);
  return {
    id,
    pool,
    status,
    createdAt: new Date(createdMs).toISOString(),
    version,
    ...(failure === undefined ? {} : { message: failure }),
  };
}

/** The merge patch that claims a member: only the version listed, pool label removed, the claim's annotations. */
export function claimPatch(member: PoolMember, claim: PoolClaim, envJson: string) {
  return {
    metadata: {
      resourceVersion: member.version,
      labels: { [METADATA_KEY.warmPool]: null },
      annotations: {
        [METADATA_KEY.createdAt]: claim.createdAt.toISOString(),
        [METADATA_KEY.expiresAt]: claim.expiresAt.toISOString(),
        [METADATA_KEY.env]: envJson,
        [METADATA_KEY.ports]: formatPortList(claim.ports),
      },
    },
  };
}

/** The env a claim stored on the Pod; {} for a sandbox created cold (its env is in its spec). */
export function claimedEnv(pod: V1Pod): Record<string, string> {
  return envFromJson(pod.metadata?.annotations?.[METADATA_KEY.env]);
}

export interface MemberCalls {
  readonly core: CoreV1Api;
  readonly settings: KubernetesSettings;
  readonly instance: string;
  readonly reading: () => PodReading;
}

/** The four pool primitives as API calls; the orchestrator delegates to it. */
export class KubernetesPoolMembers {
  constructor(private readonly calls: MemberCalls) {}

  async create(pool: string, spec: ContainerSpec): Promise<PoolMember> {
    const { core, settings, instance } = this.calls;
    const body = buildMemberPod(pool, spec, settings, instance);
    const pod = await callKube(`create pool member ${spec.id} in namespace ${settings.namespace}`, () =>
      core.createNamespacedPod({ namespace: settings.namespace, body }),
    );
    const member = podToMember(pod, this.calls.reading());
    if (member === undefined)
      throw new HubError(
        "internal",
        `Kubernetes created pod ${spec.id} but it does not read back as a pool member`,
      );
    return member;
  }

  async list(): Promise<PoolMember[]> {
    const { core, settings, instance } = this.calls;
    const pods = await callKube(`list pool members in namespace ${settings.namespace}`, () =>
      core.listNamespacedPod({ namespace: settings.namespace, labelSelector: memberSelector(instance) }),
    );
    const reading = this.calls.reading();
    return pods.items.map((pod) => podToMember(pod, reading)).filter((m): m is PoolMember => m !== undefined);
  }

  /** The claimed Pod, or undefined when another claim won (409) or the member is gone (404). */
  async claim(member: PoolMember, claim: PoolClaim, envJson: string): Promise<V1Pod | undefined> {
    const { core, settings } = this.calls;
    try {
      return await core.patchNamespacedPod(
        { name: member.id, namespace: settings.namespace, body: claimPatch(member, claim, envJson) },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
    } catch (error) {
      const status = apiStatusCode(error);
      if (status === 409 || status === 404) return undefined;
      throw toHubError(`claim pool member ${member.id}`, error);
    }
  }

  /** Deletes the member only as listed (resourceVersion precondition); false when claimed meanwhile or gone. */
  async delete(member: PoolMember, gracePeriodSeconds: number): Promise<boolean> {
    const { core, settings } = this.calls;
    try {
      await core.deleteNamespacedPod({
        name: member.id,
        namespace: settings.namespace,
        gracePeriodSeconds,
        body: { preconditions: { resourceVersion: member.version } },
      });
      return true;
    } catch (error) {
      const status = apiStatusCode(error);
      if (status === 409 || status === 404) return false;
      throw toHubError(`delete pool member ${member.id}`, error);
    }
  }
}
