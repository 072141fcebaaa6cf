import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";

/**
 * Field 22 of /proc/<pid>/stat (starttime, clock ticks since boot; proc(5)). A pid plus its
 * start time names one process for good: a recycled pid has another start time.
 */
export async function processStartTime(pid: number): Promise<string | undefined> {
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  return startTimeIn(stat);
}

/**
 * processStartTime without the thread pool, for a kill that must name the right process at that
 * very moment: /proc is generated in memory, a read takes microseconds (a delete's hot path).
 */
export function processStartTimeNow(pid: number): string | undefined {
  try {
    return startTimeIn(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return undefined;
  }
}

function startTimeIn(stat: string): string | undefined {
  // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
  const afterName = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const state = afterName[0];
  if (state === "Z" || state === "X") return undefined;
  return afterName[19];
}

export async function isSameProcessAlive(pid: number, startTime: string): Promise<boolean> {
  return (await processStartTime(pid)) === startTime;
}
