/**
 * The placeholder pods: pause containers at the expendable cutoff priority, on workers only.
 * Priority -10 is the lowest that still triggers scale-up: cluster-autoscaler ignores pods *below*
 * --expendable-pods-priority-cutoff (-10, FAQ.md), so a placeholder at -1000 would never add a node,
 * while any real sandbox (priority 0) preempts it at once.
 */
import { PAUSE_IMAGE } from "./pause-image";
import { labelsOf, tolerationFor, WORKER_LABEL, WORKER_TAINT } from "./placement";
import { mebibytes, milliCpu, type SandboxSize } from "./sandbox-policies";

/** cluster-autoscaler's --expendable-pods-priority-cutoff default (cluster-autoscaler/FAQ.md); its values pass it explicitly. */
export const EXPENDABLE_PODS_PRIORITY_CUTOFF = -10;
export const PLACEHOLDER_PRIORITY = EXPENDABLE_PODS_PRIORITY_CUTOFF;
export const PLACEHOLDER_LABELS: Readonly<Record<string, string>> = {
  "app.kubernetes.io/name": "sandbox-placeholder",
};

export function placeholderPriorityClass(name: string) {
  return {
    value: PLACEHOLDER_PRIORITY,
    globalDefault: false,
    preemptionPolicy: "Never" as const,
    description: "Placeholder pods that hold room for sandboxes; any real pod preempts them.",
    metadata: { name },
  };
}

export function placeholderPodSpec(priorityClassName: string, size: SandboxSize) {
  const quantities = { cpu: milliCpu(size.cpu), memory: mebibytes(size.memoryMiB) };
  return {
    priorityClassName,
    // Evicted placeholders must free their room at once.
    terminationGracePeriodSeconds: 0,
    automountServiceAccountToken: false,
    nodeSelector: labelsOf(WORKER_LABEL),
    tolerations: [tolerationFor(WORKER_TAINT)],
    securityContext: { runAsNonRoot: true, runAsUser: 65535, seccompProfile: { type: "RuntimeDefault" } },
    containers: [
      {
        name: "pause",
        image: PAUSE_IMAGE,
        resources: { requests: quantities, limits: quantities },
        securityContext: {
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ["ALL"] },
        },
      },
    ],
  };
}
