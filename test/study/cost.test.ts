import { describe, expect, it } from "vitest";
import { breakEven } from "../../scripts/study/cost/break-even";
import { DEFAULT_LOAD, declaredLoad } from "../../scripts/study/cost/load-options";
import { concurrentSandboxes, ec2Workers, stackCosts, type StackName } from "../../scripts/study/cost/model";
import { PRICES } from "../../scripts/study/cost/prices";
import { costReport } from "../../scripts/study/cost/report";
import { defaultStackShape, type StackShape } from "../../scripts/study/cost/stack-shape";

const shape: StackShape = defaultStackShape();
const prices = PRICES["us-east-1"]!;
const load = { ...DEFAULT_LOAD, studentsPerHour: 300, sessionMinutes: 60, egressGbPerHour: 0, imageGb: 0 };

function cost(stack: StackName, over = load) {
  const found = stackCosts(over, shape).find((entry) => entry.stack === stack);
  if (found === undefined) throw new Error(stack);
  return found;
}
const item = (stack: StackName, name: string, over = load) =>
  cost(stack, over).lines.find((entry) => entry.item.startsWith(name))!.usdPerHour;

describe("cost model", () => {
  it("counts concurrent sandboxes by Little's law", () => {
    expect(concurrentSandboxes({ ...load, studentsPerHour: 90, sessionMinutes: 40 })).toBe(60);
  });

  it("prices a 0.1 vCPU / 128 MiB sandbox on Fargate as the smallest Fargate size, 0.25 vCPU / 0.5 GB", () => {
    const perSandbox = 0.25 * prices.fargateVcpuHour + 0.5 * prices.fargateGbHour;
    expect(item("ecs-fargate", "Fargate sandboxes")).toBeCloseTo(300 * perSandbox, 9);
  });

  it("adds EKS Fargate's 256 MiB per pod before rounding, so a 512 MiB sandbox costs a 1 GB pod there", () => {
    const big = { ...shape, sandbox: { cpu: 0.25, memoryMiB: 512 } };
    const one = { ...load, studentsPerHour: 1 };
    const eks = stackCosts(one, big).find((entry) => entry.stack === "eks-fargate")!;
    const ecs = stackCosts(one, big).find((entry) => entry.stack === "ecs-fargate")!;
    const pods = (costs: typeof eks) =>
      costs.lines.find((entry) => entry.item === "Fargate sandboxes")!.usdPerHour;
    expect(pods(eks)).toBeCloseTo(0.25 * prices.fargateVcpuHour + 1 * prices.fargateGbHour, 9);
    expect(pods(ecs)).toBeCloseTo(0.25 * prices.fargateVcpuHour + 0.5 * prices.fargateGbHour, 9);
  });

  it("buys EC2 workers for sandboxes, placeholders (rate x provisioning time) and warm members", () => {
    const workers = ec2Workers({ ...load, warmPoolSize: 10 }, shape);
    // m6i.2xlarge with prefix delegation holds 77 sandboxes of 0.1 vCPU (CPU-bound); 1/s x 90 s = 90 placeholders.
    expect(workers).toEqual({
      nodes: Math.ceil((300 + 90 + 10) / 77),
      perNode: 77,
      placeholders: 90,
      pods: 400,
    });
    expect(item("eks-ec2", "worker nodes", { ...load, warmPoolSize: 10 })).toBeCloseTo(6 * 0.384, 9);
  });

  it("keeps eks.workerMin workers when idle and flags a load beyond eks.workerMax", () => {
    const idle = ec2Workers({ ...load, studentsPerHour: 0, peakCreatesPerSecond: 0 }, shape);
    expect(idle.nodes).toBe(shape.workerMin);
    expect(cost("eks-ec2").overCapacity).toBeUndefined();
    expect(cost("eks-ec2", { ...load, studentsPerHour: 2000 }).overCapacity).toMatch(
      /needs 28 workers but eks.workerMax is 13/,
    );
  });

  it("charges Fargate stacks for pulling the image through NAT on every start, EC2 not", () => {
    const pulling = { ...load, imageGb: 1.1 };
    expect(item("eks-fargate", "NAT data", pulling)).toBeCloseTo(300 * 1.1 * prices.natGatewayGb, 9);
    expect(item("eks-ec2", "NAT data", pulling)).toBe(0);
  });

  it("adds the fixed parts: EKS control plane, manager nodes, one NAT gateway and the Hub's load balancer", () => {
    const fixed =
      prices.eksClusterHour + 2 * 0.096 + prices.natGatewayHour + prices.loadBalancerHour + prices.nlbLcuHour;
    const idle = { ...load, studentsPerHour: 0 };
    expect(cost("eks-fargate", idle).usdPerHour).toBeCloseTo(fixed, 9);
  });

  it("finds the break-even: from there on EC2 costs no more than Fargate, one sandbox less it costs more", () => {
    const found = breakEven(load, shape, "eks-ec2", "eks-fargate", 600);
    expect(found.fromConcurrent).toBeGreaterThan(0);
    const at = (concurrent: number) => ({ ...load, studentsPerHour: concurrent });
    const from = found.fromConcurrent!;
    expect(cost("eks-ec2", at(from)).usdPerHour).toBeLessThanOrEqual(
      cost("eks-fargate", at(from)).usdPerHour,
    );
    expect(cost("eks-ec2", at(from - 1)).usdPerHour).toBeGreaterThan(
      cost("eks-fargate", at(from - 1)).usdPerHour,
    );
    expect(found.fromStudentsPerHour).toBe(from);
  });

  it("reports every stack and both break-evens, with the price sources", () => {
    const report = costReport(load, shape);
    expect(report.stacks.map((entry) => entry.stack)).toEqual(["eks-ec2", "eks-fargate", "ecs-fargate"]);
    expect(report.breakEven.map((entry) => entry.than)).toEqual(["eks-fargate", "ecs-fargate"]);
    expect(report.prices.every((source) => source.page.startsWith("https://aws.amazon.com/"))).toBe(true);
  });

  it("refuses a region without checked prices, naming the ones it has", () => {
    expect(() => stackCosts({ ...load, region: "eu-west-1" }, shape)).toThrow(
      /no checked prices for region eu-west-1: the cost model knows us-east-1/,
    );
  });
});

describe("declared load options", () => {
  it("applies flags over the defaults", () => {
    expect(declaredLoad({ "--students-per-hour": "120", "--warm-pool": "5" })).toMatchObject({
      studentsPerHour: 120,
      warmPoolSize: 5,
      sessionMinutes: 60,
    });
  });

  it("says what is allowed for a bad value or an unknown flag", () => {
    expect(() => declaredLoad({ "--warm-pool": "2.5" })).toThrow(
      '--warm-pool must be a whole number from 0 to 10000, got "2.5"',
    );
    expect(() => declaredLoad({ "--session-minutes": "-3" })).toThrow(
      /--session-minutes must be a number from 1 to 1440/,
    );
    expect(() => declaredLoad({ "--students": "3" })).toThrow(
      /unknown load option --students: use --region, --students-per-hour/,
    );
  });
});
