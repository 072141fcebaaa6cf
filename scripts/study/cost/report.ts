/** The cost comparison as a terminal table and as the `cost` object of the study's JSON. */
import { breakEven, type BreakEven } from "./break-even";
import { concurrentSandboxes, ec2Workers, stackCosts, type DeclaredLoad, type StackCost } from "./model";
import { PRICE_SOURCES, type PriceSource } from "./prices";
import type { StackShape } from "./stack-shape";

export interface CostReport {
  readonly load: DeclaredLoad;
  readonly concurrentSandboxes: number;
  readonly stacks: readonly StackCost[];
  readonly breakEven: readonly BreakEven[];
  readonly prices: readonly PriceSource[];
}

export function costReport(load: DeclaredLoad, shape: StackShape): CostReport {
  // As far as the EC2 workers can go: eks.workerMax nodes less the placeholders' room.
  const { perNode, placeholders } = ec2Workers({ ...load, studentsPerHour: 0 }, shape);
  const upTo = Math.max(0, shape.workerMax * perNode - placeholders - load.warmPoolSize);
  return {
    load,
    concurrentSandboxes: concurrentSandboxes(load),
    stacks: stackCosts(load, shape),
    breakEven: [
      breakEven(load, shape, "eks-ec2", "eks-fargate", upTo),
      breakEven(load, shape, "eks-ec2", "ecs-fargate", upTo),
    ],
    prices: PRICE_SOURCES,
  };
}

const usd = (value: number): string => `$${value.toFixed(3)}`;

export function breakEvenText(entry: BreakEven): string {
  if (entry.fromConcurrent === undefined) {
    return `${entry.cheaper} never costs less than ${entry.than} up to ${entry.upToConcurrent} concurrent sandboxes`;
  }
  return `${entry.cheaper} costs no more than ${entry.than} from ${entry.fromConcurrent} concurrent sandboxes (${entry.fromStudentsPerHour?.toFixed(0)} students/hour) up to ${entry.upToConcurrent}`;
}

export function renderCostText(report: CostReport): string {
  const { load } = report;
  const out = [
    `Declared load (${load.region}): ${load.studentsPerHour} students/hour x ${load.sessionMinutes} min = ${report.concurrentSandboxes} concurrent sandboxes; peak ${load.peakCreatesPerSecond} creates/s; ${load.warmPoolSize} warm members; image ${load.imageGb} GB; ${load.egressGbPerHour} GB/h egress`,
    "",
  ];
  for (const stack of report.stacks) {
    out.push(`${stack.stack}: ${usd(stack.usdPerHour)}/hour (${usd(stack.usdPerHour * 730)}/month at 730 h)`);
    for (const entry of stack.lines)
      out.push(`  ${entry.item.padEnd(34)} ${usd(entry.usdPerHour).padStart(9)}  ${entry.quantity}`);
    if (stack.overCapacity !== undefined) out.push(`  ! ${stack.overCapacity}`);
  }
  out.push(
    "",
    ...report.breakEven.map(breakEvenText),
    "",
    "List prices (on-demand; see scripts/study/cost/prices.ts):",
  );
  for (const source of report.prices) out.push(`  ${source.figure}: ${source.page} (read ${source.readOn})`);
  return `${out.join("\n")}\n`;
}
