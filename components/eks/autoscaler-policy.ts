/**
 * cluster-autoscaler's IAM policy (kubernetes/autoscaler, cluster-autoscaler/cloudprovider/aws/README.md):
 * read everything it needs to simulate node groups, but change only ASGs tagged as owned by this cluster.
 */
import type { PolicyDocument } from "./trust-policies";

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
        Sid: "ScaleOwnGroupsOnly",
        Effect: "Allow",
        Action: [...AUTOSCALER_WRITE_ACTIONS],
        Resource: "*",
        Condition: { StringEquals: { [`aws:ResourceTag/${clusterOwnershipTagKey(clusterName)}`]: "owned" } },
      },
    ],
  };
  return JSON.stringify(document);
}
