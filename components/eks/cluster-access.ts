/** Who administers the cluster: an access entry with the AWS-managed cluster-admin policy, or none. */
import type * as eks from "@pulumi/eks";
import type * as pulumi from "@pulumi/pulumi";

/** AWS-managed access policy giving cluster-admin, in the given partition (EKS docs, "Access policy permissions"). */
export function clusterAdminAccessPolicyArn(partition: string): string {
  return `arn:${partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`;
}

/** One access entry giving the admin role cluster-admin, or none. */
export function adminAccessEntries(
  adminRoleArn: string | undefined,
  partition: pulumi.Output<string>,
): Record<string, eks.types.input.AccessEntryArgs> {
  if (adminRoleArn === undefined) return {};
  return {
    admin: {
      principalArn: adminRoleArn,
      accessPolicies: {
        clusterAdmin: {
          policyArn: partition.apply(clusterAdminAccessPolicyArn),
          accessScope: { type: "cluster" },
        },
      },
    },
  };
}
