import type * as aws from "@pulumi/aws";
import type * as eks from "@pulumi/eks";
import * as pulumi from "@pulumi/pulumi";
import { MANAGER_LABEL } from "../kubernetes/placement";
import type { EksCluster } from "./eks-cluster";
import { managedNodes } from "./node-group";

export interface ManagerGroupArgs {
  readonly cluster: EksCluster;
  /** Required; the stack's default comes from `stacks/config-schema.ts` (`eks.managerInstanceType`). */
  readonly instanceType: string;
  /** Fixed size: the Hub's replicas spread over these nodes. Required; the stack's default comes from `stacks/config-schema.ts` (`eks.managerNodes`). */
  readonly nodes: number;
}

/** A small untainted node group for the Hub, cluster-autoscaler and system add-ons such as CoreDNS. */
export class ManagerGroup extends pulumi.ComponentResource {
  public readonly nodeGroup: eks.ManagedNodeGroup;
  public readonly launchTemplate: aws.ec2.LaunchTemplate;

  constructor(name: string, args: ManagerGroupArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hub:eks:ManagerGroup", name, {}, opts);
    const nodes = managedNodes(
      `${name}`,
      {
        cluster: args.cluster,
        instanceType: args.instanceType,
        minSize: args.nodes,
        desiredSize: args.nodes,
        maxSize: args.nodes,
        labels: [MANAGER_LABEL],
        taints: [],
        rootVolumeGiB: 30,
      },
      this,
    );
    this.nodeGroup = nodes.nodeGroup;
    this.launchTemplate = nodes.launchTemplate;
    this.registerOutputs({ nodeGroup: this.nodeGroup });
  }
}
