import * as aws from "@pulumi/aws";
import type * as eks from "@pulumi/eks";
import * as pulumi from "@pulumi/pulumi";
import { WORKER_LABEL, WORKER_TAINT } from "../kubernetes/placement";
import { asgTagResourceSuffix, autoscalerAsgTags } from "./autoscaler-tags";
import type { EksCluster } from "./eks-cluster";
import { managedNodes } from "./node-group";

/** How many EKS-owned tags this group used to declare ahead of its node-template tags. */
const PREVIOUS_EKS_TAG_COUNT = 2;

export interface WorkerGroupArgs {
  readonly cluster: EksCluster;
  /** Required; the stack's default comes from `stacks/config-schema.ts` (`eks.workerInstanceType`). */
  readonly instanceType: string;
  /** Required; the stack's default comes from `stacks/config-schema.ts` (`eks.workerMin`). */
  readonly minSize: number;
  /** Required; the stack's default comes from `stacks/config-schema.ts` (`eks.workerDesired`). */
  readonly desiredSize: number;
  /** Required; the stack's default comes from `stacks/config-schema.ts` (`eks.workerMax`). */
  readonly maxSize: number;
  /** Root volume; sandbox images are cached here. @default 100 */
  readonly rootVolumeGiB?: number;
}

/**
 * The sandbox nodes: labelled and tainted NoSchedule so only sandbox pods (and their placeholders)
 * land here; the ASG tagged so cluster-autoscaler finds it and can scale it from zero.
 */
export class WorkerGroup extends pulumi.ComponentResource {
  public readonly nodeGroup: eks.ManagedNodeGroup;
  public readonly launchTemplate: aws.ec2.LaunchTemplate;
  public readonly asgName: pulumi.Output<string>;

  constructor(name: string, args: WorkerGroupArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hub:eks:WorkerGroup", name, {}, opts);
    const labels = [WORKER_LABEL];
    const taints = [WORKER_TAINT];
    const nodes = managedNodes(
      name,
      {
        cluster: args.cluster,
        instanceType: args.instanceType,
        minSize: args.minSize,
        desiredSize: args.desiredSize,
        maxSize: args.maxSize,
        labels,
        taints,
        rootVolumeGiB: args.rootVolumeGiB ?? 100,
      },
      this,
    );
    this.nodeGroup = nodes.nodeGroup;
    this.launchTemplate = nodes.launchTemplate;
    // apply, not a lifted property: the remote component hands back a NodeGroup reference.
    this.asgName = nodes.nodeGroup.nodeGroup
      .apply((group) => group.resources)
      .apply((resources) => {
        const asg = resources[0]?.autoscalingGroups?.[0]?.name;
        if (!asg) throw new Error(`node group ${name} reported no autoscaling group`);
        return asg;
      });
    autoscalerAsgTags(labels, taints).forEach((tag, index) => {
      new aws.autoscaling.Tag(
        `${name}-asg-tag-${asgTagResourceSuffix(tag.key)}`,
        // Nodes get labels and taints from EKS; the tag is for the autoscaler only.
        {
          autoscalingGroupName: this.asgName,
          tag: { key: tag.key, value: tag.value, propagateAtLaunch: false },
        },
        // Named by key now; before, by position after EKS's two discovery tags (see docs/deploying.md).
        { parent: this, aliases: [{ name: `${name}-asg-tag-${index + PREVIOUS_EKS_TAG_COUNT}` }] },
      );
    });
    this.registerOutputs({ nodeGroup: this.nodeGroup, asgName: this.asgName });
  }
}
