import * as pulumi from "@pulumi/pulumi";
import { EcsCluster } from "../../components/ecs/ecs-cluster";
import { HubLoadBalancer } from "../../components/ecs/hub-load-balancer";
import { HubOnEcs } from "../../components/ecs/hub-on-ecs";
import { taskFamily } from "../../components/ecs/naming";
import { SandboxTaskTemplate } from "../../components/ecs/sandbox-task-template";
import type { Network } from "../../components/network/network";
import type { StackConfig } from "../config";
import { deployHubDns, type HubDnsOutput } from "../hub-dns";
import { hubNamesFor, hubPlatforms } from "../hub-names";
import { hubWarmPools, warmPoolsOf } from "../warm-pools";

/** The ECS orchestrator's one placement (hub-app/src/orchestrator/ecs/descriptor.ts). */
const ECS_PLACEMENT = "fargate";

/** What the ECS candidate takes from the pieces every candidate shares. */
export interface EcsFargateInputs {
  readonly network: Network;
  readonly hubImageUri: pulumi.Input<string>;
  readonly hubTokenSecretArn: pulumi.Input<string>;
  /** The default sandbox image as pulled (through the ECR cache, or as configured). */
  readonly sandboxImage: pulumi.Input<string>;
  /** IAM JSON the sandbox execution role needs to pull through the cache; unset without one. */
  readonly imagePullPolicy?: pulumi.Input<string>;
}

export interface EcsFargateOutputs {
  readonly hubUrl: pulumi.Output<string>;
  readonly clusterName: pulumi.Output<string>;
  readonly tokenSecretArn: pulumi.Input<string>;
  /** The Hub's environment (no secrets): what `npm run sandboxes` needs to find this Hub's sandboxes. */
  readonly hubEnvironment: pulumi.Output<Record<string, string>>;
  readonly dns: HubDnsOutput;
}

/** The ECS candidate: a Fargate cluster, the sandbox task template, and its own Hub behind a load balancer. */
export function deployEcsFargate(config: StackConfig, shared: EcsFargateInputs): EcsFargateOutputs {
  const { network } = shared;
  const family = (role: string) => taskFamily(pulumi.getProject(), pulumi.getStack(), role);
  const cluster = new EcsCluster("ecs", {
    fargateSpot: config.ecs.fargateSpot,
    logRetentionDays: config.ecs.logRetentionDays,
  });
  const names = hubNamesFor(config.hub, "ecs", hubPlatforms(config.candidates));
  const loadBalancer = new HubLoadBalancer("ecs-hub-lb", {
    vpcId: network.vpcId,
    publicSubnetIds: network.publicSubnetIds,
    certificateArn: config.ecs.certificateArn,
    ...(names.hostname === undefined ? {} : { hostname: names.hostname }),
  });
  const sandboxes = new SandboxTaskTemplate("ecs-sandboxes", {
    family: family("sandbox"),
    vpcId: network.vpcId,
    hubSecurityGroupId: loadBalancer.hubSecurityGroup.id,
    image: shared.sandboxImage,
    cpu: config.hub.sandboxCpu,
    memoryMiB: config.hub.sandboxMemoryMiB,
    logGroupName: cluster.logGroupName,
    imagePullPolicy: shared.imagePullPolicy,
  });
  const hub = new HubOnEcs("ecs-hub", {
    family: family("hub"),
    instance: "ecs-fargate",
    image: shared.hubImageUri,
    tokenSecretArn: shared.hubTokenSecretArn,
    privateSubnetIds: network.privateSubnetIds,
    cluster,
    sandboxes,
    loadBalancer,
    defaultSandboxImage: shared.sandboxImage,
    defaultSandboxSize: { cpu: config.hub.sandboxCpu, memoryMiB: config.hub.sandboxMemoryMiB },
    replicas: config.hub.replicas,
    cpuUnits: config.ecs.hubCpuUnits,
    memoryMiB: config.ecs.hubMemoryMiB,
    ...(names.previewDomain === undefined ? {} : { previewDomain: names.previewDomain }),
    warmPools: hubWarmPools(warmPoolsOf(config, "ecs-fargate"), ECS_PLACEMENT, ECS_PLACEMENT),
  });
  // An alias to the ALB: answered by Route 53 itself, and allowed at a zone's apex (Route 53 Developer Guide, alias records).
  const dns = deployHubDns("ecs-hub-dns", {
    zoneId: config.hub.route53ZoneId,
    names,
    loadBalancer: loadBalancer.loadBalancer.dnsName,
    target: {
      kind: "alias",
      dnsName: loadBalancer.loadBalancer.dnsName,
      zoneId: loadBalancer.loadBalancer.zoneId,
    },
  });
  return {
    hubUrl: loadBalancer.url,
    clusterName: cluster.clusterName,
    tokenSecretArn: shared.hubTokenSecretArn,
    hubEnvironment: hub.environment,
    dns,
  };
}
