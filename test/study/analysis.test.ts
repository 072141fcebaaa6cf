import { describe, expect, it } from "vitest";
import type { RunRecord, Sample } from "../../hub-app/src/bench/format";
import { analyzeCell, type CellSetup } from "../../scripts/study/analysis";
import { placeholdersFor, quickGrid, warmPoolFor, type CellCapacity } from "../../scripts/study/grid";
import type { NodeSeen, Observations } from "../../scripts/study/observer";

const T0 = Date.parse("2026-12-02T06:00:00.000Z");

function sample(
  index: number,
  firedMs: number,
  readyMs: number | undefined,
  extra: Partial<Sample> = {},
): Sample {
  return {
    index,
    scheduledMs: firedMs,
    firedMs,
    status: readyMs === undefined ? "failed" : "ok",
    id: `sb-${index}`,
    ...(readyMs === undefined ? {} : { readyMs, respondedMs: readyMs }),
    commands: [],
    ...extra,
  };
}

function record(samples: Sample[]): RunRecord {
  const ok = samples.filter((s) => s.status === "ok").length;
  return {
    startedAt: new Date(T0).toISOString(),
    options: { count: samples.length, intervalMs: 100 },
    samples,
    summary: { ok, failed: samples.length - ok, aborted: 0 },
  } as unknown as RunRecord;
}

function seen(
  nodes: NodeSeen[],
  sandboxNodes: [string, string][],
  placeholderEvictions: number[] = [],
  nominations: [string, { nominatedAt: number; boundAt?: number }][] = [],
): Observations {
  return {
    nodes: new Map(nodes.map((node) => [node.name, node])),
    sandboxNodes: new Map(sandboxNodes),
    nominations: new Map(nominations),
    placeholderEvictions,
  };
}

const setup: CellSetup = {
  config: "no-headroom",
  placeholders: 0,
  warmPoolSize: 0,
  workersAtStart: 1,
  from: T0 - 10,
  to: T0 + 300_000,
};

describe("one cell of the study", () => {
  it("counts a create as waiting for a node only when its node became Ready after the create was sent", () => {
    const result = analyzeCell(
      record([sample(0, 0, 400), sample(1, 100, 95_000), sample(2, 200, undefined)]),
      seen(
        [
          { name: "fixed", readyAt: T0 - 60_000, added: false },
          { name: "new", addedAt: T0 + 2_000, readyAt: T0 + 94_000, added: true },
        ],
        [
          ["sb-0", "fixed"],
          ["sb-1", "new"],
        ],
      ),
      setup,
    );
    expect(result.waitedForNode).toBe(1);
    expect(result.points.map((p) => p.waitedForNode)).toEqual([false, true]);
    expect(result.points[1]).toMatchObject({ atS: 0.1, cctS: 94.9 });
    expect(result.cct.max).toBe(94_900);
    expect(result).toMatchObject({ ok: 2, failed: 1, nodesAdded: 1 });
  });

  it("counts only the nodes added and placeholders evicted within the cell's window", () => {
    const result = analyzeCell(
      record([sample(0, 0, 300)]),
      seen(
        [
          { name: "before", addedAt: T0 - 5_000, readyAt: T0 - 1_000, added: true },
          { name: "during", addedAt: T0 + 1_000, added: true },
          { name: "fixed", readyAt: T0 - 60_000, added: false },
        ],
        [["sb-0", "before"]],
        [T0 - 100, T0 + 50, T0 + 60, T0 + 400_000],
      ),
      { ...setup, config: "headroom", placeholders: 900 },
    );
    expect(result).toMatchObject({
      nodesAdded: 1,
      placeholdersPreempted: 2,
      waitedForNode: 0,
      placeholders: 900,
    });
  });

  it("times the creates that had to preempt from their nomination to their bind, this cell's only", () => {
    const result = analyzeCell(
      record([sample(0, 0, 50), sample(1, 100, 1_800), sample(2, 200, 5_700), sample(3, 300, 900)]),
      seen(
        [{ name: "fixed", readyAt: T0 - 60_000, added: false }],
        [0, 1, 2, 3].map((i): [string, string] => [`sb-${i}`, "fixed"]),
        [],
        [
          ["sb-1", { nominatedAt: T0 + 300, boundAt: T0 + 1_800 }],
          ["sb-2", { nominatedAt: T0 + 400, boundAt: T0 + 5_800 }],
          ["sb-3", { nominatedAt: T0 + 500 }],
          ["sb-other-cell", { nominatedAt: T0 + 600, boundAt: T0 + 60_000 }],
        ],
      ),
      { ...setup, config: "headroom" },
    );
    expect(result.preempting.count).toBe(3);
    // Percentiles come from an HDR histogram (within 0.1%); the max is exact.
    expect(result.preempting.bindAfterNomination.p50).toBeCloseTo(1_500, -1);
    expect(result.preempting.bindAfterNomination.max).toBe(5_400);
  });

  it("counts creates the Hub answered from its warm pool", () => {
    const warm = sample(0, 0, 40, { hubTimings: { claimed: 12 } });
    const result = analyzeCell(record([warm, sample(1, 100, 500)]), seen([], []), {
      ...setup,
      config: "warm-pool",
      warmPoolSize: 1,
    });
    expect(result.warmClaims).toBe(1);
  });
});

describe("the study's grid", () => {
  const capacity: CellCapacity = {
    nodeProvisioningSeconds: 90,
    sandbox: { cpu: 0.1, memoryMiB: 128 },
    node: { cpu: 7910, memoryMiB: 29_317, pods: 110 },
    maxNodes: 13,
  };

  it("gives the headroom cells the stack's formula (rate x provisioning time) and the others none", () => {
    expect(placeholdersFor({ config: "headroom", n: 100, intervalMs: 100 }, capacity)).toBe(900);
    expect(placeholdersFor({ config: "headroom", n: 20, intervalMs: 1000 }, capacity)).toBe(90);
    expect(placeholdersFor({ config: "no-headroom", n: 100, intervalMs: 100 }, capacity)).toBe(0);
  });

  it("keeps as many warm members as arrive in one provisioning time, never more than the cell creates", () => {
    expect(warmPoolFor({ config: "warm-pool", n: 100, intervalMs: 100 }, capacity)).toBe(100);
    expect(warmPoolFor({ config: "warm-pool", n: 1000, intervalMs: 1000 }, capacity)).toBe(90);
    expect(warmPoolFor({ config: "headroom", n: 100, intervalMs: 100 }, capacity)).toBe(0);
  });

  it("--quick still shows the effect: 100 creates at 100 ms without and with headroom, and a warm-pool cell", () => {
    const quick = quickGrid();
    for (const config of ["no-headroom", "headroom"] as const) {
      expect(
        quick.find((cell) => cell.config === config && cell.n >= 100 && cell.intervalMs === 100),
      ).toBeDefined();
    }
    expect(quick.some((cell) => cell.config === "warm-pool")).toBe(true);
  });
});
