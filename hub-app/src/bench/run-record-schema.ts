/**
 * What `report` accepts as a run file: the fields the page reads, checked before drawing, so a file
 * from another tool or an older format is one clear error instead of a crash halfway through.
 */
import { z } from "zod";
import { RUN_FORMAT } from "./format.js";

const ms = z.number().nullable();
const distribution = z.object({
  count: z.number(),
  min: ms,
  p50: ms,
  p90: ms,
  p99: ms,
  max: ms,
  mean: ms,
});

const sample = z.object({
  index: z.number(),
  scheduledMs: z.number(),
  firedMs: z.number(),
  status: z.enum(["in_flight", "ok", "failed", "aborted"]),
  readyMs: z.number().optional(),
  commands: z.array(z.object({ clientMs: z.number(), exitCode: z.number().nullable() })),
  firstResponseMs: z.number().optional(),
  proxiedMs: z.array(z.number()).optional(),
  warm: z.boolean().optional(),
});

export const runRecordSchema = z.object({
  format: z.literal(RUN_FORMAT),
  label: z.string(),
  options: z.object({
    count: z.number(),
    intervalMs: z.number(),
    cpu: z.number(),
    memoryMiB: z.number(),
    scenario: z.enum(["basic", "exec", "web"]),
  }),
  hub: z.object({ url: z.string(), version: z.string(), orchestrator: z.string() }),
  interrupted: z.boolean(),
  samples: z.array(sample),
  cleanup: z.object({
    kept: z.boolean(),
    deleted: z.number(),
    failed: z.array(z.unknown()),
    abandonedInFlight: z.number(),
  }),
  summary: z.object({
    requested: z.number(),
    ok: z.number(),
    failed: z.number(),
    creationMs: distribution,
    commandAverageMs: distribution,
    commandHubMs: distribution,
    // Absent in runs from before the web scenario.
    firstResponseMs: distribution.optional(),
    proxiedMs: distribution.optional(),
    // Absent in runs from before warm pools.
    warm: z
      .object({
        claimed: z.number(),
        cold: z.number(),
        hitRatio: ms,
        claimedCreationMs: distribution,
        coldCreationMs: distribution,
      })
      .optional(),
    schedulerLagMs: distribution,
    hubPhasesMs: z.record(z.string(), z.object({ count: z.number(), p50: ms, p99: ms })),
    failuresByCode: z.record(z.string(), z.number()),
    achievedCreatesPerSecond: ms,
    verdict: z.object({ ok: z.boolean(), text: z.string() }),
  }),
});

/** The first problem, as `field.path: what is wrong`. */
export function runRecordProblem(value: unknown): string | undefined {
  const result = runRecordSchema.safeParse(value);
  if (result.success) return undefined;
  const issue = result.error.issues[0];
  return issue === undefined ? "invalid" : `${issue.path.join(".") || "(top level)"}: ${issue.message}`;
}
