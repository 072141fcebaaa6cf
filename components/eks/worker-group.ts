import * as aws from "@pulumi/aws";
import type * as eks from "@pulumi/eks";
import * as pulumi from "@pulumi/pulumi";
import { WORKER_LABEL, WORKER_TAINT } from "../kubernetes/placement";
import { autoscalerAsgTags } from "./autoscaler-tags";
import type { EksCluster } from "./eks-cluster";
import { managedNodes } from "./node-group";

export interface WorkerGroupArgs {
  readonly cluster: EksCluster;
  /** Name of the cluster in AWS, known up front so tag keys are plain strings. */
  readonly clusterName: string;
  /** Required; the stack's default comes from `stacks/config.ts` (`eks.workerInstanceType`). */
  readonly instanceType: string;
  /** Required; the stack's default comes from `stacks/config.ts` (`eks.workerMin`). */
  readonly minSize: number;
  /** Required; the stack's default comes from `stacks/config.ts` (`eks.workerDesired`). */
  readonly desiredSize: number;
  /** Required; the stack's default comes from `stacks/config.ts` (`eks.workerMax`). */
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
    autoscalerAsgTags(args.clusterName, labels, taints).forEach((tag, index) => {
      new aws.autoscaling.Tag(
        `${name}-asg-tag-${index}`,
        // Nodes get labels and taints from EKS; the tag is for the autoscaler only.
        {
          autoscalingGroupName: this.asgName,
          tag: { key: tag.key, value: tag.value, propagateAtLaunch: false },
        },
        { parent: this },
      );
    });
    this.registerOutputs({ nodeGroup: this.nodeGroup, asgName: this.asgName });
  }
}
