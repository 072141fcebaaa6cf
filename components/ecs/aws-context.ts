import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Where resources live: what ARNs and trust conditions are built from. */
export interface AwsContext {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
}

/** Looks up partition, region and account once per component. */
export function awsContextOf(parent: pulumi.Resource): pulumi.Output<AwsContext> {
  const opts = { parent };
  return pulumi
    .all([
      aws.getPartitionOutput({}, opts).partition,
      aws.getRegionOutput({}, opts).region,
      aws.getCallerIdentityOutput({}, opts).accountId,
    ])
    .apply(([partition, region, accountId]) => ({ partition, region, accountId }));
}
