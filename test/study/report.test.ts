import { describe, expect, it } from "vitest";
import type { CellResult } from "../../scripts/study/analysis";
import { DEFAULT_LOAD } from "../../scripts/study/cost/load-options";
import { costReport } from "../../scripts/study/cost/report";
import { defaultStackShape } from "../../scripts/study/cost/stack-shape";
import { renderStudyHtml } from "../../scripts/study/report/html";
import { studyResult } from "../../scripts/study/report/result";
import { renderStudyText } from "../../scripts/study/report/text";

function cell(config: CellResult["config"], p99: number, waited: number): CellResult {
  return {
    config,
    n: 100,
    intervalMs: 100,
    cct: { p50: 1100, p90: p99 - 100, p99, max: p99 + 50 },
    ok: 100,
    failed: 0,
    waitedForNode: waited,
    nodesAdded: waited > 0 ? 1 : 0,
    placeholdersPreempted: config === "headroom" ? 100 : 0,
    preempting:
      config === "headroom"
        ? { count: 51, bindAfterNomination: { p50: 1_495, p90: 3_000, p99: 5_440, max: 5_440 } }
        : { count: 0, bindAfterNomination: { p50: null, p90: null, p99: null, max: null } },
    warmClaims: 0,
    placeholders: config === "headroom" ? 900 : 0,
    warmPoolSize: 0,
    workersAtStart: 1,
    points: [
      { atS: 0, cctS: 1.1, waitedForNode: false },
      { atS: 9.9, cctS: p99 / 1000, waitedForNode: waited > 0 },
    ],
  };
}

const result = studyResult(
  [cell("no-headroom", 94_670, 21), cell("headroom", 2_400, 0)],
  [{ config: "warm-pool", n: 100, intervalMs: 100, reason: "this Hub has no warm pools" }],
  {
    nodeProvisioningSeconds: 90,
    autoscaler: "Karpenter v1.14.1 (kwok provider)",
    cost: costReport(DEFAULT_LOAD, defaultStackShape()),
  },
);

describe("the study's report", () => {
  it("adds the modelled container start beside the measured time, never into it", () => {
    expect(result.cells[0]!.cct.p99).toBe(94_670);
    expect(result.cells[0]!.modelledCct.p99).toBe(94_670 + 3000);
  });

  it("prints one table row per cell and says which cells did not run and why", () => {
    const text = renderStudyText(result);
    expect(text).toMatch(/\| no-headroom +\| 100 \| 100 ms \| 1\.10 +\| 94\.57 \| 94\.67 \| 94\.72 +\| 21 /);
    expect(text).toMatch(/\| headroom +\| 100 \| 100 ms \| .* \| 900 \(100\) +\| 51: 1\.50 \/ 5\.44 /);
    expect(text).toContain("not run: warm-pool 100 every 100 ms: this Hub has no warm pools");
  });

  it("writes one page with the table, a chart per configuration that ran, hollow dots for waits, and the cost", () => {
    const html = renderStudyHtml(result, new Date("2026-12-02T07:00:00Z"));
    expect(html.match(/<figure data-chart="/g)).toHaveLength(2);
    expect(html).toContain('fill="none"');
    expect(html).toContain("not run: warm-pool");
    expect(html).toMatch(
      /<h2>Cost per hour<\/h2>[\s\S]*eks-ec2 costs no more than eks-fargate from \d+ concurrent sandboxes/,
    );
  });
});
