/**
 * Hourly cost of each stack for a declared load, from the stacks' own sizing rules (headroom formula,
 * pod density, Fargate size rounding) and the list prices in prices.ts. Concurrent sandboxes follow
 * Little's law: sandboxes alive = sessions started per hour x session length in hours.
 */
import { allocatable, maxPodsPerNode } from "../../../components/eks/instance-types";
import { fargateSizeFor, CPU_UNITS_PER_VCPU } from "../../../components/ecs/fargate-task";
import { placeholderHeadroom, sandboxesPerNode } from "../../../components/kubernetes/headroom";
import { pricesFor, type RegionPrices } from "./prices";
import type { StackShape } from "./stack-shape";

export interface DeclaredLoad {
  readonly region: string;
  /** Sandboxes created per hour on average (one per student session). */
  readonly studentsPerHour: number;
  /** How long a sandbox lives. */
  readonly sessionMinutes: number;
  /** The busiest create rate: sizes the EKS EC2 placeholder headroom. */
  readonly peakCreatesPerSecond: number;
  /** Warm pool members each stack keeps started (they cost as running sandboxes). */
  readonly warmPoolSize: number;
  /** Sandbox image pulled by every Fargate task or pod (no image cache there), GB through the NAT gateway. */
  readonly imageGb: number;
  /** Other traffic through the NAT gateway (students' downloads), GB per hour, the same on every stack. */
  readonly egressGbPerHour: number;
  /** Load balancer capacity units used per hour (1 covers 1 GB/h; the Hub's API traffic is far below). */
  readonly loadBalancerUnits: number;
}

export type StackName = "eks-ec2" | "eks-fargate" | "ecs-fargate";

export interface CostLine {
  readonly item: string;
  readonly quantity: string;
  readonly usdPerHour: number;
}

export interface StackCost {
  readonly stack: StackName;
  readonly usdPerHour: number;
  readonly lines: readonly CostLine[];
  /** Set when the stack as configured cannot hold the load (EC2 workers past eks.workerMax). */
  readonly overCapacity?: string;
}

/** EKS on Fargate adds 256 MiB to a pod's memory for the kubelet and kube-proxy before rounding (EKS User Guide, "Fargate Pod configuration"). */
export const EKS_FARGATE_POD_OVERHEAD_MIB = 256;
const MIB_PER_GB = 1024;

export function concurrentSandboxes(load: DeclaredLoad): number {
  return Math.ceil(Number(((load.studentsPerHour * load.sessionMinutes) / 60).toFixed(6)));
}

function line(item: string, quantity: string, usdPerHour: number): CostLine {
  return { item, quantity, usdPerHour };
}

function instanceHour(prices: RegionPrices, instanceType: string, region: string): number {
  const price = prices.ec2InstanceHour[instanceType];
  if (price === undefined) {
    throw new Error(
      `no checked price for ${instanceType} in ${region}: known ${Object.keys(prices.ec2InstanceHour).join(", ")}`,
    );
  }
  return price;
}

function fargateHour(prices: RegionPrices, size: { cpuUnits: number; memoryMiB: number }): number {
  return (
    (size.cpuUnits / CPU_UNITS_PER_VCPU) * prices.fargateVcpuHour +
    (size.memoryMiB / MIB_PER_GB) * prices.fargateGbHour
  );
}

function natLines(prices: RegionPrices, shape: StackShape, gbPerHour: number): CostLine[] {
  return [
    line(
      "NAT gateways",
      `${shape.natGateways} x $${prices.natGatewayHour}/h`,
      shape.natGateways * prices.natGatewayHour,
    ),
    line(
      "NAT data",
      `${gbPerHour.toFixed(2)} GB/h x $${prices.natGatewayGb}/GB`,
      gbPerHour * prices.natGatewayGb,
    ),
  ];
}

function loadBalancerLine(prices: RegionPrices, kind: "NLB" | "ALB", units: number): CostLine {
  const unitPrice = kind === "NLB" ? prices.nlbLcuHour : prices.albLcuHour;
  return line(
    `${kind} (the Hub's)`,
    `1 x $${prices.loadBalancerHour}/h + ${units} x $${unitPrice}/unit-h`,
    prices.loadBalancerHour + units * unitPrice,
  );
}

/** EKS EC2 workers: room for the sandboxes, the placeholders and the warm members, never below eks.workerMin. */
export function ec2Workers(load: DeclaredLoad, shape: StackShape) {
  const node = allocatable(shape.workerInstanceType, maxPodsPerNode(shape.workerInstanceType, true));
  const perNode = sandboxesPerNode(node, shape.sandbox);
  const headroom = placeholderHeadroom({
    createRatePerSecond: load.peakCreatesPerSecond,
    nodeProvisioningSeconds: shape.nodeProvisioningSeconds,
    sandbox: shape.sandbox,
    node,
    maxNodes: shape.workerMax,
  });
  const pods = concurrentSandboxes(load) + headroom.replicas + load.warmPoolSize;
  const nodes = Math.max(shape.workerMin, Math.ceil(pods / perNode));
  return { nodes, perNode, placeholders: headroom.replicas, pods };
}

function eksEc2(load: DeclaredLoad, shape: StackShape, prices: RegionPrices): StackCost {
  const workers = ec2Workers(load, shape);
  const workerPrice = instanceHour(prices, shape.workerInstanceType, load.region);
  const managerPrice = instanceHour(prices, shape.managerInstanceType, load.region);
  const lines = [
    line("EKS control plane", "1 cluster", prices.eksClusterHour),
    line(
      "manager nodes (Hub, autoscaler)",
      `${shape.managerNodes} x ${shape.managerInstanceType}`,
      shape.managerNodes * managerPrice,
    ),
    line(
      "worker nodes",
      `${workers.nodes} x ${shape.workerInstanceType} for ${workers.pods} pods (${concurrentSandboxes(load)} sandboxes + ${workers.placeholders} placeholders + ${load.warmPoolSize} warm, ${workers.perNode}/node)`,
      workers.nodes * workerPrice,
    ),
    // Workers keep the image (image puller): pulls per new node are left out as negligible.
    ...natLines(prices, shape, load.egressGbPerHour),
    loadBalancerLine(prices, "NLB", load.loadBalancerUnits),
  ];
  const overCapacity =
    workers.nodes > shape.workerMax
      ? `needs ${workers.nodes} workers but eks.workerMax is ${shape.workerMax}: raise it or creates will wait`
      : undefined;
  return total("eks-ec2", lines, overCapacity);
}

function fargatePods(
  load: DeclaredLoad,
  prices: RegionPrices,
  size: { cpuUnits: number; memoryMiB: number },
) {
  const pods = concurrentSandboxes(load) + load.warmPoolSize;
  const each = fargateHour(prices, size);
  return line(
    "Fargate sandboxes",
    `${pods} x ${size.cpuUnits / CPU_UNITS_PER_VCPU} vCPU / ${size.memoryMiB / MIB_PER_GB} GB (${load.warmPoolSize} warm)`,
    pods * each,
  );
}

/** Every Fargate start pulls the image (no cache on Fargate): creates per hour x image size through NAT. */
function fargateNatGb(load: DeclaredLoad): number {
  return load.egressGbPerHour + load.studentsPerHour * load.imageGb;
}

function eksFargate(load: DeclaredLoad, shape: StackShape, prices: RegionPrices): StackCost {
  const size = fargateSizeFor(shape.sandbox.cpu, shape.sandbox.memoryMiB + EKS_FARGATE_POD_OVERHEAD_MIB);
  const managerPrice = instanceHour(prices, shape.managerInstanceType, load.region);
  return total("eks-fargate", [
    line("EKS control plane", "1 cluster", prices.eksClusterHour),
    line(
      "manager nodes (Hub, CoreDNS)",
      `${shape.managerNodes} x ${shape.managerInstanceType}`,
      shape.managerNodes * managerPrice,
    ),
    fargatePods(load, prices, size),
    ...natLines(prices, shape, fargateNatGb(load)),
    loadBalancerLine(prices, "NLB", load.loadBalancerUnits),
  ]);
}

function ecsFargate(load: DeclaredLoad, shape: StackShape, prices: RegionPrices): StackCost {
  const size = fargateSizeFor(shape.sandbox.cpu, shape.sandbox.memoryMiB);
  const hub = fargateSizeFor(shape.ecsHub.cpuUnits / CPU_UNITS_PER_VCPU, shape.ecsHub.memoryMiB);
  return total("ecs-fargate", [
    line(
      "Hub tasks (Fargate)",
      `${shape.hubReplicas} x ${hub.cpuUnits / CPU_UNITS_PER_VCPU} vCPU / ${hub.memoryMiB / MIB_PER_GB} GB`,
      shape.hubReplicas * fargateHour(prices, hub),
    ),
    fargatePods(load, prices, size),
    ...natLines(prices, shape, fargateNatGb(load)),
    loadBalancerLine(prices, "ALB", load.loadBalancerUnits),
  ]);
}

function total(stack: StackName, lines: CostLine[], overCapacity?: string): StackCost {
  const usdPerHour = lines.reduce((sum, entry) => sum + entry.usdPerHour, 0);
  return { stack, usdPerHour, lines, ...(overCapacity === undefined ? {} : { overCapacity }) };
}

export function stackCosts(load: DeclaredLoad, shape: StackShape): StackCost[] {
  const prices = pricesFor(load.region);
  return [eksEc2(load, shape, prices), eksFargate(load, shape, prices), ecsFargate(load, shape, prices)];
}
