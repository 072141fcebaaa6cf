import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { allowAllTrafficPolicy } from "../kubernetes/strict-mode-policies";
import { defaultAddonVersion } from "./addon-version";
import { awsContext, awsManagedPolicyArn } from "./aws-arns";
import { adminAccessEntries } from "./cluster-access";
import { kubeDnsServiceIp } from "./cluster-dns";
import { irsaTrustPolicy, serviceTrustPolicy } from "./trust-policies";
import { vpcCniConfigurationValues } from "./vpc-cni";

/** Every control-plane log stream (EKS docs, "Send control plane logs to CloudWatch Logs"). */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

/** The log group EKS writes control-plane logs to, creating it without expiry if it does not exist (same page). */
export function controlPlaneLogGroupName(clusterName: string): string {
  return `/aws/eks/${clusterName}/cluster`;
}

/** What managed nodes need: join the cluster and pull images (EKS docs, "Amazon EKS node IAM role"). */
export const NODE_ROLE_MANAGED_POLICIES = ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly"];

export interface EksClusterArgs {
  /** Name of the EKS cluster in AWS; also used in autoscaler tags and IAM conditions. */
  readonly clusterName: string;
  /** Pinned control-plane version, e.g. "1.34"; node groups and add-ons follow it. */
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
  /** Days control-plane logs are kept. Required; the stack's default comes from `stacks/config-schema.ts` (`eks.logRetentionDays`). */
  readonly logRetentionDays: number;
  /** IAM JSON the node role gets besides its managed policies (pulling through the ECR cache); unset: none. */
  readonly nodeImagePullPolicy?: pulumi.Input<string>;
  /** Pods get /28 prefixes instead of single IPs (110 pods per m6i.2xlarge instead of 58). @default true */
  readonly prefixDelegation?: boolean;
}

/**
 * The EKS control plane: pinned version, API authentication with access entries, OIDC for IRSA,
 * every log type into a log group with a retention, secrets encrypted with a rotating KMS key, and the
 * VPC CNI add-on with prefix delegation and strict network policy enforcement. Node groups and Fargate
 * profiles are separate components; they wait for `nodeAccess` and `vpcCni`.
 */
export class EksCluster extends pulumi.ComponentResource {
  public readonly cluster: eks.Cluster;
  public readonly clusterName: pulumi.Output<string>;
  public readonly kubernetesVersion: string;
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly oidcProviderArn: pulumi.Output<string>;
  /** Issuer URL without the scheme, as IAM condition keys use it. */
  public readonly oidcIssuer: pulumi.Output<string>;
  /** Kubernetes provider for everything the stacks put in this cluster. */
  public readonly provider: k8s.Provider;
  /** Role of every managed node: joins the cluster and pulls images, nothing else (the CNI has its own role). */
  public readonly nodeRole: aws.iam.Role;
  /** The node role's policies: node groups wait for them, so a destroy removes them only after the nodes. */
  public readonly nodeAccess: pulumi.Resource[];
  public readonly vpcCni: aws.eks.Addon;
  public readonly prefixDelegation: boolean;
  public readonly privateSubnetIds: pulumi.Input<string[]>;
  /** ClusterIP of kube-dns, for NetworkPolicies that must name it. */
  public readonly kubeDnsIp: pulumi.Output<string>;

  constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hub:eks:EksCluster", name, {}, opts);
    this.prefixDelegation = args.prefixDelegation ?? true;
    this.privateSubnetIds = args.privateSubnetIds;
    this.kubernetesVersion = args.kubernetesVersion;
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
    // Made before the cluster, or EKS makes it on the first log line with no expiry at all.
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-control-plane-logs`,
      { name: controlPlaneLogGroupName(args.clusterName), retentionInDays: args.logRetentionDays },
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
        accessEntries: adminAccessEntries(args.adminRoleArn, partition),
        createOidcProvider: true,
        enabledClusterLogTypes: CONTROL_PLANE_LOG_TYPES,
        encryptionConfigKeyArn: secretsKey.arn,
        skipDefaultNodeGroup: true,
        // The vpc-cni add-on below replaces the default one with prefix delegation and its own IRSA role.
        useDefaultVpcCni: true,
        // CoreDNS is the CoreDns component's, made once the manager nodes exist.
        corednsAddonOptions: { enabled: false },
      },
      { parent: this, dependsOn: [logGroup] },
    );
    // apply, not a lifted property: the remote component hands back a Cluster reference.
    this.clusterName = this.cluster.eksCluster.apply((c) => c.name);
    this.kubeconfig = pulumi.secret(this.cluster.kubeconfigJson);
    this.oidcProviderArn = this.cluster.oidcProviderArn;
    this.oidcIssuer = this.cluster.oidcIssuer;
    this.kubeDnsIp = this.cluster.eksCluster
      .apply((c) => c.kubernetesNetworkConfig)
      .apply((network) => kubeDnsServiceIp(network.serviceIpv4Cidr));
    this.vpcCni = this.createVpcCni(name, partition);

    this.nodeRole = new aws.iam.Role(
      `${name}-node-role`,
      { description: "EKS managed nodes", assumeRolePolicy: serviceTrustPolicy("ec2.amazonaws.com") },
      { parent: this },
    );
    this.nodeAccess = NODE_ROLE_MANAGED_POLICIES.map(
      (policy) =>
        new aws.iam.RolePolicyAttachment(
          `${name}-node-${policy}`,
          { role: this.nodeRole.name, policyArn: partition.apply((p) => awsManagedPolicyArn(p, policy)) },
          { parent: this },
        ),
    );
    if (args.nodeImagePullPolicy !== undefined) {
      this.nodeAccess.push(
        new aws.iam.RolePolicy(
          `${name}-node-image-cache`,
          { role: this.nodeRole.name, name: "pull-through-cache", policy: args.nodeImagePullPolicy },
          { parent: this },
        ),
      );
    }

    this.provider = new k8s.Provider(
      `${name}-provider`,
      { kubeconfig: this.cluster.kubeconfigJson, enableServerSideApply: true },
      { parent: this },
    );
    // Strict mode leaves a pod no policy selects without traffic: kube-system's add-ons keep all of theirs.
    new k8s.networking.v1.NetworkPolicy(
      `${name}-kube-system-traffic`,
      { metadata: { name: "allow-all-traffic", namespace: "kube-system" }, spec: allowAllTrafficPolicy() },
      { parent: this, provider: this.provider },
    );
    this.registerOutputs({ clusterName: this.clusterName, kubeconfig: this.kubeconfig });
  }

  /** The vpc-cni add-on on its own IRSA role, at the version EKS recommends for the cluster's. */
  private createVpcCni(name: string, partition: pulumi.Output<string>): aws.eks.Addon {
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
    const cniPolicy = new aws.iam.RolePolicyAttachment(
      `${name}-vpc-cni-policy`,
      {
        role: cniRole.name,
        policyArn: partition.apply((p) => awsManagedPolicyArn(p, "AmazonEKS_CNI_Policy")),
      },
      { parent: this },
    );
    return new aws.eks.Addon(
      `${name}-vpc-cni`,
      {
        clusterName: this.clusterName,
        addonName: "vpc-cni",
        addonVersion: defaultAddonVersion("vpc-cni", this.kubernetesVersion, this),
        serviceAccountRoleArn: cniRole.arn,
        configurationValues: vpcCniConfigurationValues({
          prefixDelegation: this.prefixDelegation,
          networkPolicy: true,
        }),
        // EKS installs a self-managed aws-node first; take it over.
        resolveConflictsOnCreate: "OVERWRITE",
        resolveConflictsOnUpdate: "OVERWRITE",
      },
      // On destroy the policy goes only after the add-on, which releases the ENIs it made.
      { parent: this, dependsOn: [cniPolicy] },
    );
  }
}
