/** Reading --json files back and arranging them for the report. */
import { readFile } from "node:fs/promises";
import { RUN_FORMAT, type RunRecord } from "./format.js";
import { UsageError } from "./options.js";
import { runRecordProblem } from "./run-record-schema.js";

/** Reads one run file; anything but a format-1 run is a UsageError naming the file. */
export async function loadRunRecord(filePath: string): Promise<RunRecord> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(filePath, "utf8"));
  } catch (error) {
    // One line: JSON.parse messages may quote the offending text, line breaks included.
    const why = ((error as NodeJS.ErrnoException).code ?? (error as Error).message).replace(/\s+/g, " ");
    throw new UsageError(`${filePath} cannot be read as JSON (${why})`);
  }
  const problem = runRecordProblem(parsed);
  if (problem !== undefined) {
    throw new UsageError(`${filePath} is not a hub-bench run file (format ${RUN_FORMAT}): ${problem}`);
  }
  return parsed as RunRecord;
}

export interface RunGroup {
  readonly title: string;
  /** Labels unique within the group (repeats get " (2)", " (3)"). */
  readonly runs: readonly { readonly label: string; readonly record: RunRecord }[];
}

function cellOf(record: RunRecord): string {
  const { count, intervalMs, scenario } = record.options;
  return `${count} containers, a create every ${intervalMs} ms, ${scenario} scenario`;
}

function uniqueLabels(records: readonly RunRecord[]): { label: string; record: RunRecord }[] {
  const seen = new Map<string, number>();
  return records.map((record) => {
    const times = (seen.get(record.label) ?? 0) + 1;
    seen.set(record.label, times);
    return { label: times === 1 ? record.label : `${record.label} (${times})`, record };
  });
}

/**
 * Runs with distinct labels are compared on one set of charts. When labels repeat (a matrix: each stack
 * at every size and rate), runs are grouped by cell so each chart compares the stacks on equal terms.
 */
export function groupRuns(records: readonly RunRecord[]): RunGroup[] {
  const labels = new Set(records.map((record) => record.label));
  if (labels.size === records.length) return [{ title: "All runs", runs: uniqueLabels(records) }];
  const cells = new Map<string, RunRecord[]>();
  for (const record of records) cells.set(cellOf(record), [...(cells.get(cellOf(record)) ?? []), record]);
  return [...cells].map(([title, cellRecords]) => ({ title, runs: uniqueLabels(cellRecords) }));
}
