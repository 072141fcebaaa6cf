import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { placeholderHeadroom, type Headroom, type HeadroomArgs } from "./headroom";
import { PLACEHOLDER_LABELS, placeholderPodSpec, placeholderPriorityClass } from "./overprovisioning-spec";
import { podSecurityLabels } from "./sandbox-policies";

const PRIORITY_CLASS_NAME = "sandbox-placeholder";

export interface OverprovisioningArgs extends HeadroomArgs {
  readonly provider: k8s.Provider;
  /** Pod Security Standards version, the cluster's. */
  readonly kubernetesVersion: string;
}

/**
 * Spare worker room that is already there when a burst of sandboxes arrives: low-priority pause pods
 * that sandboxes preempt; the pending placeholders then make cluster-autoscaler add nodes ahead of demand.
 */
export class Overprovisioning extends pulumi.ComponentResource {
  public readonly headroom: Headroom;
  public readonly priorityClass: k8s.scheduling.v1.PriorityClass;
  public readonly deployment: k8s.apps.v1.Deployment;

  constructor(name: string, args: OverprovisioningArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hub:kubernetes:Overprovisioning", name, {}, opts);
    const childOpts = { parent: this, provider: args.provider };
    this.headroom = placeholderHeadroom(args);
    this.priorityClass = new k8s.scheduling.v1.PriorityClass(
      `${name}-priority`,
      placeholderPriorityClass(PRIORITY_CLASS_NAME),
      childOpts,
    );
    const namespace = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      { metadata: { name: "overprovisioning", labels: podSecurityLabels(args.kubernetesVersion) } },
      childOpts,
    );
    this.deployment = new k8s.apps.v1.Deployment(
      `${name}-placeholders`,
      {
        metadata: {
          name: "sandbox-placeholders",
          namespace: namespace.metadata.name,
          labels: { ...PLACEHOLDER_LABELS },
          // Placeholders may wait for nodes by design; do not block the deployment on them.
          annotations: { "pulumi.com/skipAwait": "true" },
        },
        spec: {
          replicas: this.headroom.replicas,
          selector: { matchLabels: { ...PLACEHOLDER_LABELS } },
          template: {
            metadata: { labels: { ...PLACEHOLDER_LABELS } },
            spec: placeholderPodSpec(PRIORITY_CLASS_NAME, args.sandbox),
          },
        },
      },
      { ...childOpts, dependsOn: [this.priorityClass] },
    );
    this.registerOutputs({ replicas: this.headroom.replicas });
  }
}
