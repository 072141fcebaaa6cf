import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/** ARN of an AWS-managed IAM policy in the current partition (aws, aws-cn, aws-us-gov). */
export function awsManagedPolicyArn(partition: string, policyName: string): string {
  return `arn:${partition}:iam::aws:policy/${policyName}`;
}

/** The partition, region and account of the provider, resolved once per component. */
export function awsContext(parent: pulumi.Resource) {
  return {
    partition: aws.getPartitionOutput({}, { parent }).partition,
    region: aws.getRegionOutput({}, { parent }).region,
    accountId: aws.getCallerIdentityOutput({}, { parent }).accountId,
  };
}
