import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CoreDns } from "../../components/eks/core-dns";
import { EksCluster } from "../../components/eks/eks-cluster";
import { HubOnEks } from "../../components/eks/hub-on-eks";
import { ManagerGroup } from "../../components/eks/manager-group";
import { HUB_NAMESPACE, SANDBOX_NAMESPACE } from "../../components/kubernetes/placement";
import { SandboxNamespace } from "../../components/kubernetes/sandbox-namespace";
import type { Candidate, StackConfig } from "../config";
import { deployHubDns, type HubDnsOutput } from "../hub-dns";
import { hubNamesFor, hubPlatforms } from "../hub-names";
import type { SharedPieces } from "../shared";
import { hubWarmPools, warmPoolsOf } from "../warm-pools";
import { eksClusterName } from "./cluster-name";
import type { EksPlacementModule } from "./placement-pieces";
import { ec2Placement } from "./placements/ec2";
import { fargatePlacement } from "./placements/fargate";

const PLACEMENT_MODULES: Partial<Record<Candidate, EksPlacementModule>> = {
  "eks-ec2": ec2Placement,
  "eks-fargate": fargatePlacement,
};

/** The EKS placements this stack deploys, in the order of `candidates` (the first is the Hub's default). */
export function eksPlacementModules(candidates: readonly Candidate[]): EksPlacementModule[] {
  return candidates.flatMap((c) => PLACEMENT_MODULES[c] ?? []);
}

export interface EksOutputs {
  readonly hubUrl: pulumi.Output<string>;
  readonly clusterName: pulumi.Output<string>;
  readonly kubeconfig: pulumi.Output<string>;
  readonly tokenSecretArn: pulumi.Output<string>;
  /** HUB_K8S_PLACEMENTS of the Hub, the default first. */
  readonly placements: string[];
  /** The Hub's environment (no secrets): what `npm run sandboxes` needs to find this Hub's sandboxes. */
  readonly hubEnvironment: pulumi.Output<Record<string, string>>;
  readonly dns: HubDnsOutput;
}

/**
 * One EKS cluster for every EKS candidate of the stack: the cluster, manager group, sandbox namespace
 * and one Hub are common; each placement (placements/ec2.ts, placements/fargate.ts) adds its own pieces.
 */
export function deployEks(config: StackConfig, shared: SharedPieces): EksOutputs | undefined {
  const modules = eksPlacementModules(config.candidates);
  if (modules.length === 0) return undefined;
  const clusterName = eksClusterName(pulumi.getProject(), pulumi.getStack());
  const region = aws.getRegionOutput().region;
  const cluster = new EksCluster("eks", {
    clusterName,
    kubernetesVersion: config.eks.kubernetesVersion,
    vpcId: shared.network.vpcId,
    privateSubnetIds: shared.network.privateSubnetIds,
    publicSubnetIds: shared.network.publicSubnetIds,
    publicAccessCidrs: config.eks.publicAccessCidrs,
    adminRoleArn: config.eks.adminRoleArn,
    logRetentionDays: config.eks.logRetentionDays,
    nodeImagePullPolicy: shared.imagePullPolicy,
  });
  const manager = new ManagerGroup("eks-manager", {
    cluster,
    instanceType: config.eks.managerInstanceType,
    nodes: config.eks.managerNodes,
  });
  const maxSandboxPods = modules.reduce((sum, m) => sum + m.maxSandboxPods(config), 0);
  const coreDns = new CoreDns("eks-coredns", {
    cluster,
    maxSandboxPods,
    dependsOn: [manager.nodeGroup],
  });
  const sandboxNamespace = new SandboxNamespace("eks-sandboxes", {
    provider: cluster.provider,
    name: SANDBOX_NAMESPACE,
    kubernetesVersion: config.eks.kubernetesVersion,
    defaultSize: { cpu: config.hub.sandboxCpu, memoryMiB: config.hub.sandboxMemoryMiB },
    maxPods: maxSandboxPods,
    vpcCidr: shared.network.cidrBlock,
    kubeDnsIp: cluster.kubeDnsIp,
    hubNamespace: HUB_NAMESPACE,
  });
  const context = {
    config,
    shared,
    cluster,
    clusterName,
    region,
    manager,
    sandboxNamespaceName: SANDBOX_NAMESPACE,
    multiplePlacements: modules.length > 1,
  };
  const pieces = modules.map((m) => m.deploy(context));
  const placements = modules.map((m) => m.placement);
  const names = hubNamesFor(config.hub, "eks", hubPlatforms(config.candidates));
  const hub = new HubOnEks("eks-hub", {
    cluster,
    kubernetesVersion: config.eks.kubernetesVersion,
    image: shared.hubImage.imageUri,
    tokenSecretArn: shared.hubToken.secretArn,
    region,
    instance: "eks",
    placements,
    sandboxNamespace: sandboxNamespace.name,
    sandboxNamespaceName: SANDBOX_NAMESPACE,
    replicas: config.hub.replicas,
    defaultSandboxImage: shared.sandboxImage,
    defaultSandboxSize: { cpu: config.hub.sandboxCpu, memoryMiB: config.hub.sandboxMemoryMiB },
    certificateArn: config.eks.certificateArn,
    ...names,
    warmPools: modules.flatMap((m) =>
      hubWarmPools(warmPoolsOf(config, m.candidate), m.placement, placements[0]!),
    ),
    dependsOn: [manager, coreDns, sandboxNamespace, ...pieces.flatMap((p) => p.resources)],
  });
  const loadBalancer = hub.loadBalancerHostname();
  const dns = deployHubDns("eks-hub-dns", {
    zoneId: config.hub.route53ZoneId,
    names,
    loadBalancer,
    target: { kind: "cname", hostname: loadBalancer },
  });
  return {
    hubUrl: hub.url,
    clusterName: cluster.clusterName,
    kubeconfig: cluster.kubeconfig,
    tokenSecretArn: shared.hubToken.secretArn,
    placements,
    hubEnvironment: hub.environment,
    dns,
  };
}
