/**
 * Helm values of the official cluster-autoscaler chart (kubernetes/autoscaler, charts/cluster-autoscaler
 * values.yaml). Flags per cloudprovider/aws/README.md and FAQ.md; each stated here even when it equals
 * the default, so a chart upgrade cannot change the behaviour silently.
 */
import { EXPENDABLE_PODS_PRIORITY_CUTOFF } from "../kubernetes/overprovisioning-spec";
import { labelsOf, MANAGER_LABEL } from "../kubernetes/placement";
import { autoDiscoveryTags } from "./autoscaler-tags";

export interface ClusterAutoscalerValuesArgs {
  readonly clusterName: string;
  readonly region: string;
  readonly serviceAccountName: string;
  /** How long a node stays unneeded before removal. @default "10m" */
  readonly scaleDownUnneededTime?: string;
}

export function clusterAutoscalerValues(args: ClusterAutoscalerValuesArgs) {
  if (!/^\d+[smh]$/.test(args.scaleDownUnneededTime ?? "10m")) {
    throw new Error(
      `scaleDownUnneededTime must be a duration such as 10m, got "${args.scaleDownUnneededTime}"`,
    );
  }
  return {
    cloudProvider: "aws",
    awsRegion: args.region,
    // Tags stated, not the chart's default pair: that pair also matches the manager group.
    autoDiscovery: { clusterName: args.clusterName, tags: autoDiscoveryTags(args.clusterName) },
    // The Irsa component makes the ServiceAccount with its role annotation.
    rbac: { serviceAccount: { create: false, name: args.serviceAccountName } },
    extraArgs: {
      "balance-similar-node-groups": true,
      expander: "least-waste",
      // Workers run only DaemonSet system pods; they must not pin a node.
      "skip-nodes-with-system-pods": false,
      // Sandboxes use emptyDir for scratch space; it must not pin an idle node.
      "skip-nodes-with-local-storage": false,
      // 10 min: a burst that ends is not followed by another one's 90 s node wait right away.
      "scale-down-unneeded-time": args.scaleDownUnneededTime ?? "10m",
      "scale-down-delay-after-add": "10m",
      // Pods below this priority never trigger scale-up (FAQ.md); placeholders sit exactly at it.
      "expendable-pods-priority-cutoff": EXPENDABLE_PODS_PRIORITY_CUTOFF,
    },
    // On the manager group, never on workers (no toleration for the worker taint).
    nodeSelector: labelsOf(MANAGER_LABEL),
    tolerations: [],
    priorityClassName: "system-cluster-critical",
    replicaCount: 1,
    resources: { requests: { cpu: "100m", memory: "300Mi" }, limits: { memory: "600Mi" } },
    securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534 },
    containerSecurityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    },
  };
}
