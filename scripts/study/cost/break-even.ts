/**
 * Where EC2 workers and Fargate cost the same: EC2 is a staircase (whole nodes, placeholders included),
 * Fargate a straight line per sandbox, so the answer is the smallest load from which EC2 stays cheaper.
 */
import { stackCosts, type DeclaredLoad, type StackName } from "./model";
import type { StackShape } from "./stack-shape";

export interface BreakEven {
  readonly cheaper: StackName;
  readonly than: StackName;
  /** Concurrent sandboxes from which `cheaper` costs no more than `than`, up to the largest load tried; undefined if never. */
  readonly fromConcurrent?: number;
  readonly fromStudentsPerHour?: number;
  readonly upToConcurrent: number;
}

function costOf(load: DeclaredLoad, shape: StackShape, stack: StackName): number {
  const found = stackCosts(load, shape).find((cost) => cost.stack === stack);
  if (found === undefined) throw new Error(`no cost for stack ${stack}`);
  return found.usdPerHour;
}

/** Scans 0..upToConcurrent sandboxes (students per hour follows from the session length). */
export function breakEven(
  load: DeclaredLoad,
  shape: StackShape,
  cheaper: StackName,
  than: StackName,
  upToConcurrent: number,
): BreakEven {
  let from: number | undefined;
  for (let concurrent = 0; concurrent <= upToConcurrent; concurrent++) {
    const at = { ...load, studentsPerHour: (concurrent * 60) / load.sessionMinutes };
    const wins = costOf(at, shape, cheaper) <= costOf(at, shape, than);
    if (wins && from === undefined) from = concurrent;
    if (!wins) from = undefined;
  }
  return {
    cheaper,
    than,
    upToConcurrent,
    ...(from === undefined
      ? {}
      : { fromConcurrent: from, fromStudentsPerHour: (from * 60) / load.sessionMinutes }),
  };
}
