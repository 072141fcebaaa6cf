import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as pulumi from "@pulumi/pulumi";
import { eksTaintEffect, labelsOf, type Label, type Taint } from "../kubernetes/placement";
import type { EksCluster } from "./eks-cluster";
import { maxPodsPerNode } from "./instance-types";
import { nodeLaunchTemplateSettings } from "./launch-template";

export interface NodeGroupSpec {
  readonly cluster: EksCluster;
  readonly instanceType: string;
  readonly minSize: number;
  readonly desiredSize: number;
  readonly maxSize: number;
  readonly labels: readonly Label[];
  readonly taints: readonly Taint[];
  readonly rootVolumeGiB: number;
}

export interface ManagedNodes {
  readonly nodeGroup: eks.ManagedNodeGroup;
  readonly launchTemplate: aws.ec2.LaunchTemplate;
}

/**
 * A managed node group with this project's launch template: AL2023, IMDSv2 hop limit 1, kubelet
 * maxPods matching the VPC CNI mode. Shared by ManagerGroup and WorkerGroup.
 */
export function managedNodes(name: string, spec: NodeGroupSpec, parent: pulumi.Resource): ManagedNodes {
  if (!(spec.minSize <= spec.desiredSize && spec.desiredSize <= spec.maxSize)) {
    throw new Error(
      `node group ${name}: sizes must satisfy min <= desired <= max, got ${spec.minSize}/${spec.desiredSize}/${spec.maxSize}`,
    );
  }
  const maxPods = maxPodsPerNode(spec.instanceType, spec.cluster.prefixDelegation);
  const launchTemplate = new aws.ec2.LaunchTemplate(
    `${name}-launch-template`,
    {
      description: `Nodes of ${name}: IMDSv2 only, hop limit 1, maxPods ${maxPods}`,
      updateDefaultVersion: true,
      ...nodeLaunchTemplateSettings(maxPods, spec.rootVolumeGiB),
      tagSpecifications: [{ resourceType: "instance", tags: { Name: name } }],
    },
    { parent },
  );
  const nodeGroup = new eks.ManagedNodeGroup(
    `${name}-nodes`,
    {
      cluster: spec.cluster.cluster,
      // The launch template names no AMI, so without this pulumi-eks leaves the group on its first version.
      version: spec.cluster.kubernetesVersion,
      nodeRole: spec.cluster.nodeRole,
      subnetIds: spec.cluster.privateSubnetIds,
      amiType: "AL2023_x86_64_STANDARD",
      instanceTypes: [spec.instanceType],
      capacityType: "ON_DEMAND",
      scalingConfig: { minSize: spec.minSize, desiredSize: spec.desiredSize, maxSize: spec.maxSize },
      // cluster-autoscaler owns the desired size once the group exists.
      ignoreScalingChanges: true,
      labels: labelsOf(...spec.labels),
      taints: spec.taints.map((t) => ({ key: t.key, value: t.value, effect: eksTaintEffect(t.effect) })),
      launchTemplate: { id: launchTemplate.id, version: pulumi.interpolate`${launchTemplate.latestVersion}` },
    },
    // maxPods assumes the CNI mode: nodes join only after the add-on is configured; and on destroy the
    // node role keeps its policies until EKS has drained and terminated the instances.
    { parent, dependsOn: [spec.cluster.vpcCni, ...spec.cluster.nodeAccess] },
  );
  return { nodeGroup, launchTemplate };
}
