/**
 * What the fake cluster does with a new sandbox Pod, as the status changes a real scheduler and
 * kubelet would write. The test picks the story by image name, so the Hub's own request decides it.
 */

/** A Pod as JSON, the way the API server stores and sends it. */
export type PodJson = {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec: { containers: { name: string; image: string }[]; [key: string]: unknown };
  status?: Record<string, unknown>;
};

/** One status the kubelet writes; applied in order, each a watch MODIFIED event. */
export type PodStatus = Record<string, unknown>;

const now = () => new Date().toISOString();

const condition = (type: string, status: "True" | "False", extra: Record<string, string> = {}) => ({
  type,
  status,
  lastTransitionTime: now(),
  ...extra,
});

function containerStatus(pod: PodJson, state: Record<string, unknown>, ready: boolean) {
  const container = pod.spec.containers[0];
  return [
    { name: container?.name ?? "sandbox", image: container?.image ?? "", ready, restartCount: 0, state },
  ];
}

/** The address a Pod gets when none is asked for: a private pod IP nothing listens on. */
export const DEFAULT_POD_IP = "10.0.3.17";

/** Scheduled, then running and ready: the happy path. */
function becomesReady(pod: PodJson, podIP: string): PodStatus[] {
  return [
    { phase: "Pending", conditions: [condition("PodScheduled", "True")] },
    {
      phase: "Running",
      podIP,
      conditions: [condition("PodScheduled", "True"), condition("Ready", "True")],
      containerStatuses: containerStatus(pod, { running: { startedAt: now() } }, true),
    },
  ];
}

/** The kubelet cannot pull the image: ErrImagePull, then back-off. */
function imagePullFails(pod: PodJson): PodStatus[] {
  const image = pod.spec.containers[0]?.image ?? "";
  const waiting = (reason: string) => ({
    phase: "Pending",
    conditions: [condition("PodScheduled", "True"), condition("Ready", "False")],
    containerStatuses: containerStatus(
      pod,
      { waiting: { reason, message: `Back-off pulling image "${image}": not found` } },
      false,
    ),
  });
  return [{ phase: "Pending", conditions: [condition("PodScheduled", "True")] }, waiting("ErrImagePull")];
}

/** No node fits and none will be added: the scheduler says so once. */
function staysUnschedulable(): PodStatus[] {
  return [
    {
      phase: "Pending",
      conditions: [
        condition("PodScheduled", "False", {
          reason: "Unschedulable",
          message: "0/3 nodes are available: 3 Insufficient cpu.",
        }),
      ],
    },
  ];
}

/** The container starts and dies at once (e.g. an image without /bin/sh). */
function crashes(pod: PodJson): PodStatus[] {
  return [
    {
      phase: "Failed",
      conditions: [condition("PodScheduled", "True")],
      containerStatuses: containerStatus(
        pod,
        { terminated: { exitCode: 127, reason: "Error", message: "exec: /bin/sh: not found" } },
        false,
      ),
    },
  ];
}

/** A warning a component records about a Pod, the way `kubectl describe pod` shows it. */
export interface PodWarning {
  readonly reason: string;
  readonly message: string;
  readonly component: string;
}

/** What the scheduler, cluster-autoscaler and kubelet record beside each story's statuses. */
export function warningsFor(pod: PodJson): PodWarning[] {
  const image = pod.spec.containers[0]?.image ?? "";
  if (image.includes("unschedulable")) {
    return [
      {
        reason: "FailedScheduling",
        message: "0/3 nodes are available: 3 Insufficient cpu.",
        component: "default-scheduler",
      },
      {
        reason: "NotTriggerScaleUp",
        message: "pod didn't trigger scale-up: 1 max node group size reached",
        component: "cluster-autoscaler",
      },
    ];
  }
  if (image.includes("unpullable")) {
    return [
      {
        reason: "Failed",
        message: `Failed to pull image "${image}": rpc error: code = NotFound desc = not found`,
        component: "kubelet",
      },
    ];
  }
  return [];
}

/** Stories by a word in the image name; anything else becomes ready, at `podIP`. */
export function storyFor(pod: PodJson, podIP = DEFAULT_POD_IP): PodStatus[] {
  const image = pod.spec.containers[0]?.image ?? "";
  if (image.includes("unpullable")) return imagePullFails(pod);
  if (image.includes("unschedulable")) return staysUnschedulable();
  if (image.includes("crashing")) return crashes(pod);
  if (image.includes("stuck")) return [{ phase: "Pending", conditions: [condition("PodScheduled", "True")] }];
  return becomesReady(pod, podIP);
}
