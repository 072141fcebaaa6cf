/**
 * Checks across keys, run once every key on its own is valid: what a certificate needs, what DNS
 * records need, and whether the warm pools fit where they would run. Each problem names the key to
 * change and says why.
 */
import { fargateSizeFor, CPU_UNITS_PER_VCPU } from "../components/ecs/fargate-task";
import {
  placeholderCount,
  residentWorkers,
  sandboxesPerNode,
  type ResidentPods,
} from "../components/kubernetes/headroom";
import { CANDIDATES, type Candidate } from "./candidates";
import type { StackConfig } from "./config";
import { defaultSandboxSize, workerAllocatable } from "./eks/worker-capacity";
import { hubPlatforms, type HubPlatform } from "./hub-names";
import { MAX_WARM_MEMBERS_PER_HUB, warmMembers, warmPoolsOf, type WarmPool } from "./warm-pools";

export interface ConfigIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

export function configProblems(config: StackConfig): ConfigIssue[] {
  return [...nameProblems(config), ...warmPoolProblems(config), ...fargateQuotaProblems(config)];
}

const certificateOf = (config: StackConfig, platform: HubPlatform) =>
  platform === "eks" ? config.eks.certificateArn : config.ecs.certificateArn;

function nameProblems(config: StackConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const { hostname, previewDomain, route53ZoneId } = config.hub;
  for (const platform of hubPlatforms(config.candidates)) {
    const certificate = certificateOf(config, platform);
    if (certificate !== undefined && hostname === undefined) {
      issues.push({
        path: [platform, "certificateArn"],
        message:
          "needs hub.hostname, a name the certificate covers: browsers check the certificate against the name they open, and no ACM certificate covers a load balancer's own name (*.elb.amazonaws.com)",
      });
    }
    if (previewDomain !== undefined && certificate === undefined) {
      issues.push({
        path: ["hub", "previewDomain"],
        message: `needs ${platform}.certificateArn, a certificate covering *.${previewDomain} and hub.hostname: host-based port URLs are https only`,
      });
    }
  }
  if (route53ZoneId !== undefined && hostname === undefined && previewDomain === undefined) {
    issues.push({
      path: ["hub", "route53ZoneId"],
      message: "has nothing to record: set hub.hostname, hub.previewDomain or both",
    });
  }
  return issues;
}

/** A pool's shape as the Hub compares it: defaults filled in. */
function shapeOf(config: StackConfig, pool: WarmPool) {
  return {
    image: pool.image ?? "(hub.sandboxImage)",
    cpu: pool.cpu ?? config.hub.sandboxCpu,
    memoryMiB: pool.memoryMiB ?? config.hub.sandboxMemoryMiB,
  };
}

function warmPoolProblems(config: StackConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const deployed = (candidate: Candidate) => config.candidates.includes(candidate);
  for (const candidate of CANDIDATES) {
    if (config.hub.warmPools?.[candidate] !== undefined && !deployed(candidate)) {
      issues.push({
        path: ["hub", "warmPools", candidate],
        message: `this stack does not deploy ${candidate} (candidates: ${config.candidates.join(", ")})`,
      });
    }
    if (!deployed(candidate)) continue;
    const seen = new Map<string, number>();
    warmPoolsOf(config, candidate).forEach((pool, index) => {
      const shape = JSON.stringify(shapeOf(config, pool));
      const earlier = seen.get(shape);
      if (earlier !== undefined) {
        issues.push({
          path: ["hub", "warmPools", candidate, index],
          message: `has the same image, cpu and memory as pool ${earlier}: give each shape one pool`,
        });
      } else seen.set(shape, index);
    });
  }
  for (const platform of hubPlatforms(config.candidates)) {
    const candidates = CANDIDATES.filter((c) => deployed(c) && c.startsWith(`${platform}-`));
    const members = candidates.reduce((sum, c) => sum + warmMembers(warmPoolsOf(config, c)), 0);
    if (members > MAX_WARM_MEMBERS_PER_HUB) {
      issues.push({
        path: ["hub", "warmPools"],
        message: `the ${platform} Hub would keep ${members} warm members (${candidates.join(" + ")}); one Hub keeps at most ${MAX_WARM_MEMBERS_PER_HUB}`,
      });
    }
  }
  if (deployed("eks-ec2")) issues.push(...workerFitProblems(config));
  return issues;
}

/** Placeholders and EC2 warm-pool members hold worker room all the time; students need some left. */
function workerFitProblems(config: StackConfig): ConfigIssue[] {
  const node = workerAllocatable(config.eks.workerInstanceType);
  const placeholders: ResidentPods = {
    count: placeholderCount(config.eks.createRatePerSecond, config.eks.nodeProvisioningSeconds),
    size: defaultSandboxSize(config.hub),
  };
  const pools = warmPoolsOf(config, "eks-ec2");
  const issues: ConfigIssue[] = [];
  const members: ResidentPods[] = [];
  pools.forEach((pool, index) => {
    const { cpu, memoryMiB } = shapeOf(config, pool);
    try {
      sandboxesPerNode(node, { cpu, memoryMiB });
      members.push({ count: pool.size, size: { cpu, memoryMiB } });
    } catch (error) {
      issues.push({ path: ["hub", "warmPools", "eks-ec2", index], message: (error as Error).message });
    }
  });
  if (issues.length > 0 || members.every((m) => m.count === 0)) return issues;
  const workers = residentWorkers(node, [placeholders, ...members]);
  if (workers < config.eks.workerMax) return issues;
  const memberCount = members.reduce((sum, m) => sum + m.count, 0);
  return [
    {
      path: ["hub", "warmPools", "eks-ec2"],
      message: `${memberCount} warm members and ${placeholders.count} placeholders (eks.createRatePerSecond x eks.nodeProvisioningSeconds) fill ${workers} ${config.eks.workerInstanceType} workers, leaving none of eks.workerMax ${config.eks.workerMax} for students' sandboxes: shrink the pools, lower eks.createRatePerSecond or raise eks.workerMax`,
    },
  ];
}

/** EKS Fargate adds 256 MiB to every pod for kubelet, kube-proxy and containerd (EKS docs, "Fargate Pod configuration"). */
export const EKS_FARGATE_POD_OVERHEAD_MIB = 256;

/** vCPU a member holds on Fargate, after Fargate rounds its size up. */
export function fargateVcpuOf(
  candidate: "eks-fargate" | "ecs-fargate",
  cpu: number,
  memoryMiB: number,
): number {
  const memory = candidate === "eks-fargate" ? memoryMiB + EKS_FARGATE_POD_OVERHEAD_MIB : memoryMiB;
  return fargateSizeFor(cpu, memory).cpuUnits / CPU_UNITS_PER_VCPU;
}

/** Warm members on Fargate and the ECS Hub's own tasks draw on the account's Fargate vCPU quota. */
function fargateQuotaProblems(config: StackConfig): ConfigIssue[] {
  const quota = config.hub.fargateVcpuQuota;
  if (quota === undefined) return [];
  let vcpu = 0;
  for (const candidate of ["eks-fargate", "ecs-fargate"] as const) {
    if (!config.candidates.includes(candidate)) continue;
    for (const pool of warmPoolsOf(config, candidate)) {
      const { cpu, memoryMiB } = shapeOf(config, pool);
      vcpu += pool.size * fargateVcpuOf(candidate, cpu, memoryMiB);
    }
  }
  const hubVcpu = config.candidates.includes("ecs-fargate")
    ? config.hub.replicas *
      fargateVcpuOf("ecs-fargate", config.ecs.hubCpuUnits / CPU_UNITS_PER_VCPU, config.ecs.hubMemoryMiB)
    : 0;
  if (vcpu + hubVcpu < quota) return [];
  return [
    {
      path: ["hub", "warmPools"],
      message: `warm members on Fargate hold ${vcpu} vCPU and the ECS Hub's tasks ${hubVcpu}, leaving nothing of hub.fargateVcpuQuota ${quota} for students' sandboxes: shrink the pools or ask AWS for a higher quota`,
    },
  ];
}
