import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { awsContext, awsManagedPolicyArn } from "./aws-arns";
import { irsaTrustPolicy, serviceTrustPolicy } from "./trust-policies";
import { vpcCniConfigurationValues } from "./vpc-cni";

/** Every control-plane log stream (EKS docs, "Send control plane logs to CloudWatch Logs"). */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];
/** AWS-managed access policy giving cluster-admin (EKS docs, "Access policy permissions"). */
export const CLUSTER_ADMIN_ACCESS_POLICY =
  "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";

export interface EksClusterArgs {
  /** Name of the EKS cluster in AWS; also used in autoscaler tags and IAM conditions. */
  readonly clusterName: string;
  /** Pinned control-plane version, e.g. "1.34". */
  readonly kubernetesVersion: string;
  readonly vpcId: pulumi.Input<string>;
  /** Subnets for nodes, Fargate pods and the control plane's ENIs. */
  readonly privateSubnetIds: pulumi.Input<string[]>;
  /** Subnets for internet-facing load balancers. */
  readonly publicSubnetIds: pulumi.Input<string[]>;
  /** Who may reach the public API endpoint. */
  readonly publicAccessCidrs: readonly string[];
  /** Role given cluster-admin through an access entry; unset: only the creator. */
  readonly adminRoleArn?: string;
  /** Pods get /28 prefixes instead of single IPs (110 pods per m6i.2xlarge instead of 58). @default true */
  readonly prefixDelegation?: boolean;
}

/**
 * The EKS control plane: pinned version, API authentication with access entries, OIDC for IRSA,
 * every log type, secrets encrypted with a rotating KMS key, and the VPC CNI add-on with prefix
 * delegation and network policy enforcement. Node groups and Fargate profiles are separate components.
 */
export class EksCluster extends pulumi.ComponentResource {
  public readonly cluster: eks.Cluster;
  public readonly clusterName: pulumi.Output<string>;
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly oidcProviderArn: pulumi.Output<string>;
  /** Issuer URL without the scheme, as IAM condition keys use it. */
  public readonly oidcIssuer: pulumi.Output<string>;
  /** Kubernetes provider for everything the stacks put in this cluster. */
  public readonly provider: k8s.Provider;
  /** Role of every managed node: joins the cluster and pulls images, nothing else (the CNI has its own role). */
  public readonly nodeRole: aws.iam.Role;
  public readonly vpcCni: aws.eks.Addon;
  public readonly prefixDelegation: boolean;
  public readonly privateSubnetIds: pulumi.Input<string[]>;

  constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hub:eks:EksCluster", name, {}, opts);
    this.prefixDelegation = args.prefixDelegation ?? true;
    this.privateSubnetIds = args.privateSubnetIds;
    const { partition } = awsContext(this);
    const secretsKey = new aws.kms.Key(
      `${name}-secrets-key`,
      {
        description: `Envelope encryption of Kubernetes secrets in ${args.clusterName}`,
        enableKeyRotation: true,
        deletionWindowInDays: 7,
      },
      { parent: this },
    );
    this.cluster = new eks.Cluster(
      `${name}-cluster`,
      {
        name: args.clusterName,
        version: args.kubernetesVersion,
        vpcId: args.vpcId,
        privateSubnetIds: args.privateSubnetIds,
        publicSubnetIds: args.publicSubnetIds,
        nodeAssociatePublicIpAddress: false,
        endpointPrivateAccess: true,
        endpointPublicAccess: true,
        publicAccessCidrs: [...args.publicAccessCidrs],
        authenticationMode: eks.AuthenticationMode.Api,
        accessEntries: adminAccessEntries(args.adminRoleArn),
        createOidcProvider: true,
        enabledClusterLogTypes: CONTROL_PLANE_LOG_TYPES,
        encryptionConfigKeyArn: secretsKey.arn,
        skipDefaultNodeGroup: true,
        // The vpc-cni add-on below replaces the default one with prefix delegation and its own IRSA role.
        useDefaultVpcCni: true,
      },
      { parent: this },
    );
    // apply, not a lifted property: the remote component hands back a Cluster reference.
    this.clusterName = this.cluster.eksCluster.apply((c) => c.name);
    this.kubeconfig = pulumi.secret(this.cluster.kubeconfigJson);
    this.oidcProviderArn = this.cluster.oidcProviderArn;
    this.oidcIssuer = this.cluster.oidcIssuer;

    const cniRole = new aws.iam.Role(
      `${name}-vpc-cni`,
      {
        description: "IRSA role of the VPC CNI (aws-node), so nodes need no ENI rights",
        assumeRolePolicy: pulumi
          .all([this.oidcProviderArn, this.oidcIssuer])
          .apply(([arn, issuer]) =>
            irsaTrustPolicy(arn, issuer, { namespace: "kube-system", name: "aws-node" }),
          ),
      },
      { parent: this },
    );
    new aws.iam.RolePolicyAttachment(
      `${name}-vpc-cni-policy`,
      {
        role: cniRole.name,
        policyArn: partition.apply((p) => awsManagedPolicyArn(p, "AmazonEKS_CNI_Policy")),
      },
      { parent: this },
    );
    this.vpcCni = new aws.eks.Addon(
      `${name}-vpc-cni`,
      {
        clusterName: this.clusterName,
        addonName: "vpc-cni",
        serviceAccountRoleArn: cniRole.arn,
        configurationValues: vpcCniConfigurationValues({
          prefixDelegation: this.prefixDelegation,
          networkPolicy: true,
        }),
        // EKS installs a self-managed aws-node first; take it over.
        resolveConflictsOnCreate: "OVERWRITE",
        resolveConflictsOnUpdate: "OVERWRITE",
      },
      { parent: this },
    );

    this.nodeRole = new aws.iam.Role(
      `${name}-node-role`,
      { description: "EKS managed nodes", assumeRolePolicy: serviceTrustPolicy("ec2.amazonaws.com") },
      { parent: this },
    );
    for (const policy of ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly"]) {
      new aws.iam.RolePolicyAttachment(
        `${name}-node-${policy}`,
        { role: this.nodeRole.name, policyArn: partition.apply((p) => awsManagedPolicyArn(p, policy)) },
        { parent: this },
      );
    }

    this.provider = new k8s.Provider(
      `${name}-provider`,
      { kubeconfig: this.cluster.kubeconfigJson, enableServerSideApply: true },
      { parent: this },
    );
    this.registerOutputs({ clusterName: this.clusterName, kubeconfig: this.kubeconfig });
  }
}

/** One access entry giving the admin role cluster-admin, or none. */
export function adminAccessEntries(
  adminRoleArn: string | undefined,
): Record<string, eks.types.input.AccessEntryArgs> {
  if (adminRoleArn === undefined) return {};
  return {
    admin: {
      principalArn: adminRoleArn,
      accessPolicies: {
        clusterAdmin: { policyArn: CLUSTER_ADMIN_ACCESS_POLICY, accessScope: { type: "cluster" } },
      },
    },
  };
}
