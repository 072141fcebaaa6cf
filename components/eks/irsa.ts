import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { EksCluster } from "./eks-cluster";
import { irsaTrustPolicy } from "./trust-policies";

/** The annotation EKS's pod identity webhook reads (EKS docs, "Configure pods to use a service account"). */
export const ROLE_ARN_ANNOTATION = "eks.amazonaws.com/role-arn";

export interface IrsaArgs {
  readonly cluster: EksCluster;
  readonly namespace: pulumi.Input<string>;
  /** Known up front: the trust policy names it. */
  readonly namespaceName: string;
  readonly serviceAccountName: string;
  /** Inline policies by name, as IAM JSON. */
  readonly inlinePolicies?: Readonly<Record<string, pulumi.Input<string>>>;
  /** Extra labels on the ServiceAccount. */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * IAM role for a Kubernetes service account: the ServiceAccount annotated with the role ARN, the role
 * trusting only that service account through the cluster's OIDC provider, and the policies given.
 */
export class Irsa extends pulumi.ComponentResource {
  public readonly role: aws.iam.Role;
  public readonly serviceAccount: k8s.core.v1.ServiceAccount;
  public readonly serviceAccountName: string;

  constructor(name: string, args: IrsaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hub:eks:Irsa", name, {}, opts);
    const account = { namespace: args.namespaceName, name: args.serviceAccountName };
    this.serviceAccountName = args.serviceAccountName;
    this.role = new aws.iam.Role(
      `${name}-role`,
      {
        description: `IRSA for ${account.namespace}/${account.name}`,
        assumeRolePolicy: pulumi
          .all([args.cluster.oidcProviderArn, args.cluster.oidcIssuer])
          .apply(([arn, issuer]) => irsaTrustPolicy(arn, issuer, account)),
      },
      { parent: this },
    );
    for (const [policyName, document] of Object.entries(args.inlinePolicies ?? {})) {
      new aws.iam.RolePolicy(
        `${name}-${policyName}`,
        { role: this.role.name, name: policyName, policy: document },
        { parent: this },
      );
    }
    this.serviceAccount = new k8s.core.v1.ServiceAccount(
      `${name}-service-account`,
      {
        metadata: {
          name: args.serviceAccountName,
          namespace: args.namespace,
          labels: { ...args.labels },
          annotations: { [ROLE_ARN_ANNOTATION]: this.role.arn },
        },
      },
      { parent: this, provider: args.cluster.provider },
    );
    this.registerOutputs({ roleArn: this.role.arn });
  }
}
