/**
 * How a sandbox Pod reads back as a ContainerInfo. Everything `get` and `list` need is on the
 * Pod (labels, annotations, status), so the Hub keeps no state.
 */
import type { V1ContainerStatus, V1Pod, V1PodCondition } from "@kubernetes/client-node";
import { METADATA_KEY } from "../metadata-keys.js";
import type { ContainerInfo, ContainerStatus, ContainerTimings } from "../types.js";
import { SANDBOX_CONTAINER } from "./pod-spec.js";
import { parsePortList } from "../port-list.js";
import { KUBERNETES_PLACEMENTS, type KubernetesPlacement } from "./settings.js";

/**
 * Waiting reasons after which the container will not start without someone changing the Pod
 * (kubelet's image and container-creation errors). The kubelet would retry with backoff for
 * ever; the caller gets a clear error now instead.
 */
const FATAL_WAITING_REASONS = new Set([
  "ErrImagePull",
  "ImagePullBackOff",
  "InvalidImageName",
  "ErrImageNeverPull",
  "CreateContainerConfigError",
  "CreateContainerError",
  "CrashLoopBackOff",
  "RunContainerError",
]);

export interface PodReading {
  readonly instance: string;
  readonly unschedulableDeadlineMs: number;
  readonly nowMs: number;
}

type Timestamp = Date | string | undefined;

function epochMs(value: Timestamp): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

function condition(pod: V1Pod, type: string): V1PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === type);
}

function sandboxStatus(pod: V1Pod): V1ContainerStatus | undefined {
  return pod.status?.containerStatuses?.find((s) => s.name === SANDBOX_CONTAINER);
}

function podEnded(pod: V1Pod, phase: "Failed" | "Succeeded"): string {
  return `pod ${phase.toLowerCase()}${pod.status?.reason ? ` (${pod.status.reason})` : ""}: ${pod.status?.message ?? "no message"}`;
}

/** Why the Pod cannot start (or has stopped), or undefined while it still may run. */
export function startFailure(pod: V1Pod, createdMs: number, reading: PodReading): string | undefined {
  const container = sandboxStatus(pod);
  const waiting = container?.state?.waiting;
  if (waiting?.reason !== undefined && FATAL_WAITING_REASONS.has(waiting.reason)) {
    return `${waiting.reason}: ${waiting.message ?? "the container cannot start"}`;
  }
  // The kubelet's own reason for ending the pod (Evicted: an emptyDir past its sizeLimit, the node out
  // of disk or memory; DeadlineExceeded) says why; the container's exit (137, killed) says only how.
  const phase = pod.status?.phase;
  if ((phase === "Failed" || phase === "Succeeded") && pod.status?.reason !== undefined)
    return podEnded(pod, phase);
  const terminated = container?.state?.terminated;
  if (terminated !== undefined) {
    return `container exited (${terminated.reason ?? "terminated"}, exit code ${terminated.exitCode})${terminated.message ? `: ${terminated.message}` : ""}`;
  }
  if (phase === "Failed" || phase === "Succeeded") return podEnded(pod, phase);
  const scheduled = condition(pod, "PodScheduled");
  if (
    scheduled?.status === "False" &&
    scheduled.reason === "Unschedulable" &&
    reading.nowMs - createdMs >= reading.unschedulableDeadlineMs
  ) {
    return `Unschedulable for ${Math.round((reading.nowMs - createdMs) / 1000)} s: ${scheduled.message ?? "no node fits"}`;
  }
  return undefined;
}

/** Whether the Pod is Running with the sandbox container ready: commands can run. */
export function isReady(pod: V1Pod): boolean {
  return (
    pod.status?.phase === "Running" &&
    sandboxStatus(pod)?.ready === true &&
    condition(pod, "Ready")?.status === "True"
  );
}

/** Phase times the API server records (second resolution), in ms since the Hub's createdAt. */
function timingsOf(pod: V1Pod, createdMs: number): ContainerTimings {
  const since = (value: Timestamp) => {
    const ms = epochMs(value);
    return ms === undefined ? undefined : Math.max(0, ms - createdMs);
  };
  const trueSince = (type: string) => {
    const found = condition(pod, type);
    return found?.status === "True" ? since(found.lastTransitionTime) : undefined;
  };
  const entries = {
    accepted: since(pod.metadata?.creationTimestamp),
    scheduled: trueSince("PodScheduled"),
    started: since(sandboxStatus(pod)?.state?.running?.startedAt),
    ready: isReady(pod) ? trueSince("Ready") : undefined,
  };
  return Object.fromEntries(Object.entries(entries).filter(([, ms]) => ms !== undefined));
}

function placementOf(value: string | undefined): KubernetesPlacement {
  return KUBERNETES_PLACEMENTS.find((placement) => placement === value) ?? "ec2";
}

/** When the sandbox was created as the Hub counts it (a claimed pool member: when it was claimed). */
export function createdMsOf(pod: V1Pod, nowMs: number): number {
  const annotations = pod.metadata?.annotations ?? {};
  return epochMs(annotations[METADATA_KEY.createdAt]) ?? epochMs(pod.metadata?.creationTimestamp) ?? nowMs;
}

/** The Pod's status as the API shows it, and why it failed when it did. */
export function podStatus(
  pod: V1Pod,
  createdMs: number,
  reading: PodReading,
): { status: ContainerStatus; failure?: string } {
  const failure = startFailure(pod, createdMs, reading);
  if (pod.metadata?.deletionTimestamp !== undefined) return { status: "terminating" };
  if (failure !== undefined) return { status: "failed", failure };
  return { status: isReady(pod) ? "running" : "pending" };
}

/** undefined when the Pod is not a sandbox of this Hub (a warm-pool member is nobody's until claimed). */
export function podToInfo(pod: V1Pod, reading: PodReading): ContainerInfo | undefined {
  const labels = pod.metadata?.labels ?? {};
  const annotations = pod.metadata?.annotations ?? {};
  const id = labels[METADATA_KEY.id];
  if (labels[METADATA_KEY.instance] !== reading.instance || id === undefined) return undefined;
  if (labels[METADATA_KEY.warmPool] !== undefined) return undefined;
  const createdMs = createdMsOf(pod, reading.nowMs);
  const { status, failure } = podStatus(pod, createdMs, reading);
  const readyAtMs = isReady(pod) ? epochMs(condition(pod, "Ready")?.lastTransitionTime) : undefined;
  // Never before createdAt: a claimed pool member was ready before it was anyone's (and the API server's second resolution lags).
  const readyMs = readyAtMs === undefined ? undefined : Math.max(readyAtMs, createdMs);
  const waiting = sandboxStatus(pod)?.state?.waiting;
  const unscheduled = condition(pod, "PodScheduled");
  const pendingNote =
    waiting?.reason !== undefined
      ? `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ""}`
      : unscheduled?.status === "False"
        ? `${unscheduled.reason ?? "not scheduled"}: ${unscheduled.message ?? ""}`.trim()
        : undefined;
  const message = failure ?? (status === "pending" ? pendingNote : undefined);
  const sandbox = pod.spec?.containers.find((c) => c.name === SANDBOX_CONTAINER);
  return {
    id,
    status,
    placement: placementOf(annotations[METADATA_KEY.placement]),
    image: sandbox?.image ?? "",
    cpu: Number(annotations[METADATA_KEY.cpu] ?? 0),
    memory: Number(annotations[METADATA_KEY.memory] ?? 0),
    ...(pod.status?.podIP ? { ip: pod.status.podIP } : {}),
    // A claimed warm-pool member was started without ports: its claim's are in the annotation.
    ports:
      annotations[METADATA_KEY.ports] === undefined
        ? (sandbox?.ports ?? []).map((port) => port.containerPort)
        : parsePortList(annotations[METADATA_KEY.ports]),
    createdAt: new Date(createdMs).toISOString(),
    ...(readyMs === undefined ? {} : { readyAt: new Date(readyMs).toISOString() }),
    expiresAt: annotations[METADATA_KEY.expiresAt] ?? new Date(createdMs).toISOString(),
    timings: timingsOf(pod, createdMs),
    ...(message === undefined ? {} : { message }),
  };
}
