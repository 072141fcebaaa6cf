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
  // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
  const afterName = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const state = afterName[0];
  if (state === "Z" || state === "X") return undefined;
  return afterName[19];
}

export async function isSameProcessAlive(pid: number, startTime: string): Promise<boolean> {
  return (await processStartTime(pid)) === startTime;
}
