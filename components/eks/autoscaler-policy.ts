/**
 * cluster-autoscaler's IAM policy (kubernetes/autoscaler, cluster-autoscaler/cloudprovider/aws/README.md):
 * read everything it needs to simulate node groups, but change only this cluster's worker ASGs.
 */
import { WORKER_LABEL } from "../kubernetes/placement";
import type { PolicyDocument } from "./trust-policies";

/** Tags that tell the autoscaler a group's node labels before it has a node (scale from zero). */
export const NODE_TEMPLATE_LABEL_PREFIX = "k8s.io/cluster-autoscaler/node-template/label/";

/**
 * Only the worker group carries this tag. EKS tags every managed node group's ASG for discovery and
 * as owned, the manager group (Hub, CoreDNS, the autoscaler itself) included: this keeps it out.
 */
export const WORKER_GROUP_TAG = {
  key: `${NODE_TEMPLATE_LABEL_PREFIX}${WORKER_LABEL.key}`,
  value: WORKER_LABEL.value,
};

export const AUTOSCALER_READ_ACTIONS = [
  "autoscaling:DescribeAutoScalingGroups",
  "autoscaling:DescribeAutoScalingInstances",
  "autoscaling:DescribeLaunchConfigurations",
  "autoscaling:DescribeScalingActivities",
  "autoscaling:DescribeTags",
  "ec2:DescribeImages",
  "ec2:DescribeInstanceTypes",
  "ec2:DescribeLaunchTemplateVersions",
  "ec2:GetInstanceTypesFromInstanceRequirements",
  "eks:DescribeNodegroup",
] as const;

export const AUTOSCALER_WRITE_ACTIONS = [
  "autoscaling:SetDesiredCapacity",
  "autoscaling:TerminateInstanceInAutoScalingGroup",
] as const;

/** The tag EKS managed node groups (and WorkerGroup) put on their ASGs: `k8s.io/cluster-autoscaler/<cluster>`. */
export function clusterOwnershipTagKey(clusterName: string): string {
  if (clusterName.length === 0) throw new Error("cluster name must not be empty");
  return `k8s.io/cluster-autoscaler/${clusterName}`;
}

export function clusterAutoscalerPolicy(clusterName: string): string {
  const document: PolicyDocument = {
    Version: "2012-10-17",
    Statement: [
      { Sid: "Discover", Effect: "Allow", Action: [...AUTOSCALER_READ_ACTIONS], Resource: "*" },
      {
        Sid: "ScaleOwnWorkerGroupsOnly",
        Effect: "Allow",
        Action: [...AUTOSCALER_WRITE_ACTIONS],
        Resource: "*",
        Condition: {
          StringEquals: {
            [`aws:ResourceTag/${clusterOwnershipTagKey(clusterName)}`]: "owned",
            [`aws:ResourceTag/${WORKER_GROUP_TAG.key}`]: WORKER_GROUP_TAG.value,
          },
        },
      },
    ],
  };
  return JSON.stringify(document);
}
