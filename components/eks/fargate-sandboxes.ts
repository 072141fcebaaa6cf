import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { labelsOf, FARGATE_LABEL } from "../kubernetes/placement";
import { awsContext, awsManagedPolicyArn } from "./aws-arns";
import type { EksCluster } from "./eks-cluster";
import { fargatePodExecutionTrustPolicy } from "./trust-policies";

export interface FargateSelector {
  readonly namespace: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * Which pods go to Fargate: the whole sandbox namespace when Fargate is the only placement, or only
 * pods labelled for Fargate when the cluster also has EC2 workers (the Hub labels them per request).
 */
export function fargateSelectors(namespace: string, sharedWithEc2Workers: boolean): FargateSelector[] {
  if (namespace.length === 0) throw new Error("Fargate profile needs a namespace to select");
  return sharedWithEc2Workers ? [{ namespace, labels: labelsOf(FARGATE_LABEL) }] : [{ namespace }];
}

export interface FargateSandboxesArgs {
  readonly cluster: EksCluster;
  /** Name of the cluster in AWS, for the role's source-ARN condition. */
  readonly clusterName: string;
  /** The sandbox namespace. */
  readonly namespace: string;
  /** True when the cluster also runs EC2 workers: select only pods labelled for Fargate. */
  readonly sharedWithEc2Workers: boolean;
  /** IAM JSON the pod execution role gets besides its managed policy (pulling through the ECR cache); unset: none. */
  readonly imagePullPolicy?: pulumi.Input<string>;
}

/**
 * Sandboxes on Fargate: a profile on the private subnets with its own pod execution role.
 * CoreDNS is not selected: the manager group runs it (and the Hub) in every EKS stack.
 */
export class FargateSandboxes extends pulumi.ComponentResource {
  public readonly profile: aws.eks.FargateProfile;
  public readonly podExecutionRole: aws.iam.Role;
  public readonly selectors: FargateSelector[];

  constructor(name: string, args: FargateSandboxesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hub:eks:FargateSandboxes", name, {}, opts);
    const { partition, region, accountId } = awsContext(this);
    this.selectors = fargateSelectors(args.namespace, args.sharedWithEc2Workers);
    this.podExecutionRole = new aws.iam.Role(
      `${name}-pod-execution`,
      {
        description: "Fargate pod execution role for sandboxes: pull images, write logs",
        assumeRolePolicy: pulumi
          .all([partition, region, accountId])
          .apply(([p, r, a]) => fargatePodExecutionTrustPolicy(p, r, a, args.clusterName)),
      },
      { parent: this },
    );
    const access: pulumi.Resource[] = [
      new aws.iam.RolePolicyAttachment(
        `${name}-pod-execution-policy`,
        {
          role: this.podExecutionRole.name,
          policyArn: partition.apply((p) => awsManagedPolicyArn(p, "AmazonEKSFargatePodExecutionRolePolicy")),
        },
        { parent: this },
      ),
    ];
    if (args.imagePullPolicy !== undefined) {
      access.push(
        new aws.iam.RolePolicy(
          `${name}-pod-execution-image-cache`,
          { role: this.podExecutionRole.name, name: "pull-through-cache", policy: args.imagePullPolicy },
          { parent: this },
        ),
      );
    }
    this.profile = new aws.eks.FargateProfile(
      `${name}-profile`,
      {
        clusterName: args.cluster.clusterName,
        podExecutionRoleArn: this.podExecutionRole.arn,
        subnetIds: args.cluster.privateSubnetIds,
        selectors: this.selectors.map((s) => ({
          namespace: s.namespace,
          labels: s.labels ? { ...s.labels } : undefined,
        })),
      },
      // On destroy the role keeps its rights until EKS has stopped the profile's pods.
      { parent: this, dependsOn: access },
    );
    this.registerOutputs({ profileArn: this.profile.arn });
  }
}
