import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { defaultAddonVersion } from "./addon-version";
import type { EksCluster } from "./eks-cluster";

/**
 * Sandbox pods per CoreDNS replica. Our judgement, not a measured limit: EKS's own autoscaler counts
 * nodes and cores (max(nodes / 16, cores / 256)), which on a few large EC2 workers stays at its minimum
 * however many sandboxes resolve names, so the floor follows the sandbox capacity instead.
 */
export const SANDBOXES_PER_COREDNS_REPLICA = 250;
/** EKS keeps at least two replicas (EKS docs, "Scale CoreDNS Pods for high DNS traffic"). */
export const MIN_COREDNS_REPLICAS = 2;
/** The manager group (2 x m6i.large by default) holds them at 100m CPU each next to the Hub. */
export const MAX_COREDNS_REPLICAS = 10;

/** configurationValues of the coredns add-on: EKS-managed autoscaling with a floor sized for the sandboxes. */
export function corednsConfiguration(maxSandboxPods: number) {
  if (!Number.isInteger(maxSandboxPods) || maxSandboxPods < 1) {
    throw new Error(
      `CoreDNS sizing needs the sandbox capacity as a whole number of pods, got ${maxSandboxPods}`,
    );
  }
  const floor = Math.ceil(maxSandboxPods / SANDBOXES_PER_COREDNS_REPLICA);
  const minReplicas = Math.min(Math.max(floor, MIN_COREDNS_REPLICAS), MAX_COREDNS_REPLICAS);
  return { autoScaling: { enabled: true, minReplicas, maxReplicas: MAX_COREDNS_REPLICAS } };
}

export interface CoreDnsArgs {
  readonly cluster: EksCluster;
  /** Most sandbox pods the cluster holds (the namespace quota): sizes the replica floor. */
  readonly maxSandboxPods: number;
  /** Where its pods run: the add-on is made once these nodes exist, or it waits degraded. */
  readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

/**
 * CoreDNS as the managed EKS add-on, instead of the two self-managed replicas EKS starts with: it
 * autoscales and is upgraded with the cluster (its version follows eks.kubernetesVersion).
 */
export class CoreDns extends pulumi.ComponentResource {
  public readonly addon: aws.eks.Addon;

  constructor(name: string, args: CoreDnsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hub:eks:CoreDns", name, {}, opts);
    this.addon = new aws.eks.Addon(
      `${name}-addon`,
      {
        clusterName: args.cluster.clusterName,
        addonName: "coredns",
        addonVersion: defaultAddonVersion("coredns", args.cluster.kubernetesVersion, this),
        configurationValues: JSON.stringify(corednsConfiguration(args.maxSandboxPods)),
        // EKS installed a self-managed CoreDNS with the cluster; take it over.
        resolveConflictsOnCreate: "OVERWRITE",
        resolveConflictsOnUpdate: "OVERWRITE",
      },
      { parent: this, dependsOn: args.dependsOn },
    );
    this.registerOutputs({ addon: this.addon.arn });
  }
}
