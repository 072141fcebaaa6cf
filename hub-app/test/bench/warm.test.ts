/**
 * The load tester on a Hub with warm pools: claims told apart from cold starts in the summary, the
 * text and the report, and a run that waits for the pools to fill first.
 */
import { parse } from "node-html-parser";
import { describe, expect, it } from "vitest";
import { HubApiError, type PoolView } from "../../src/bench/client.js";
import { groupRuns } from "../../src/bench/report-data.js";
import { renderReport } from "../../src/bench/report-html.js";
import { renderSummaryText } from "../../src/bench/summary-text.js";
import { fillWarmPools, waitForWarmPools } from "../../src/bench/warm-pools-wait.js";
import { makeRecord, makeWarmRecord } from "./records.js";

const BURST = [true, true, true, false, false];
const mixed = makeWarmRecord("local", BURST, { claimMs: 40, coldMs: 3000 });

describe("the summary of a run with warm claims", () => {
  it("counts claims and cold starts and gives each side its own creation times", () => {
    const { warm } = mixed.summary;
    expect(warm).toMatchObject({ claimed: 3, cold: 2, hitRatio: 0.6 });
    expect(warm.claimedCreationMs).toMatchObject({ count: 3, max: 40 });
    expect(warm.coldCreationMs).toMatchObject({ count: 2, min: 3000 });
  });

  it("has no hit ratio for a Hub that did not say (runs from before warm pools)", () => {
    expect(makeRecord("old", [10, 20]).summary.warm).toMatchObject({ claimed: 0, cold: 0, hitRatio: null });
  });

  it("prints the hit ratio, both histograms and both rows side by side", () => {
    const text = renderSummaryText(mixed);
    expect(text).toContain("Warm pool: 3 of 5 creates claimed a ready member (60%), 2 started cold");
    expect(text).toContain("Creation time, warm-pool claims");
    expect(text).toContain("Creation time, cold starts");
    expect(text).toMatch(/ {2}of which warm claims +3 +0\.040/);
    expect(text).toMatch(/ {2}of which cold starts +2 +3\.000/);
  });

  it("says nothing of pools for a Hub that does not report them", () => {
    expect(renderSummaryText(makeRecord("old", [10, 20]))).not.toContain("Warm pool");
  });
});

describe("the report of runs with warm claims", () => {
  const page = parse(renderReport(groupRuns([mixed, makeRecord("cold-only", [3000, 3100])])));

  it("has a table of claims against cold starts for the runs a pool served, only", () => {
    const table = page
      .querySelectorAll("h3")
      .find((h3) => h3.text.startsWith("Warm pools"))?.nextElementSibling;
    const rows = table?.querySelectorAll("tbody tr") ?? [];
    expect(rows).toHaveLength(1);
    expect(rows[0]?.querySelectorAll("td").map((cell) => cell.text)).toEqual([
      "local",
      "3",
      "2",
      "60%",
      "0.040",
      "0.040",
      "0.040",
      "3.000",
      "3.000",
      "3.000",
    ]);
  });

  it("draws claims and cold starts as two curves", () => {
    const figure = page.querySelector('figure[data-chart="warm"]');
    expect(
      figure?.querySelectorAll("path[data-series]").map((path) => path.getAttribute("data-series")),
    ).toEqual(["local warm", "local cold"]);
  });
});

/** A Hub whose pools show `states` in turn, one per GET /v1/pools. */
function poolsClient(states: readonly (readonly PoolView[])[]) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    pools: () => Promise.resolve({ items: [...(states[Math.min(calls++, states.length - 1)] ?? [])] }),
  };
}

const pool = (ready: number, size = 3): PoolView => ({
  image: "host",
  cpu: 0.25,
  memory: 512,
  placement: "local",
  size,
  ready,
  starting: size - ready,
});

describe("waiting for a Hub's warm pools before a run", () => {
  it("polls until every pool is full", async () => {
    const client = poolsClient([[pool(0)], [pool(2)], [pool(3)]]);
    const result = await waitForWarmPools(client, { deadlineMs: 10_000, sleep: () => Promise.resolve() });
    expect(result.full).toBe(true);
    expect(client.calls).toBe(3);
  });

  it("gives up at the deadline and runs with what is ready, saying so", async () => {
    let time = 0;
    const lines: string[] = [];
    const client = poolsClient([[pool(1)]]);
    await fillWarmPools(client, { deadlineMs: 1000, onNotice: (line) => lines.push(line) });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(
      "waiting for the Hub's warm pools to fill: host 0.25 vCPU 512 MiB local: 1 of 3 ready",
    );
    expect(lines[1]).toMatch(/^running before the warm pools are full: .*1 of 3 ready$/);
    const stopped = await waitForWarmPools(poolsClient([[pool(1)]]), {
      deadlineMs: 1000,
      now: () => time,
      sleep: (ms) => Promise.resolve(void (time += ms)),
    });
    expect(stopped.full).toBe(false);
    expect(time).toBeGreaterThanOrEqual(1000);
  });

  it("stops waiting on Ctrl-C", async () => {
    const interrupt = new AbortController();
    interrupt.abort();
    const result = await waitForWarmPools(poolsClient([[pool(0)]]), {
      deadlineMs: 60_000,
      signal: interrupt.signal,
    });
    expect(result.full).toBe(false);
  });

  it("warns when no pool serves the run's shape, as every create will start cold", async () => {
    const lines: string[] = [];
    const onNotice = (line: string) => lines.push(line);
    await fillWarmPools(poolsClient([[pool(3)]]), { onNotice, shape: { cpu: 0.1, memory: 128 } });
    expect(lines).toEqual([
      "no warm pool serves this run's 0.1 vCPU 128 MiB: every create starts cold (pools: host 0.25 vCPU 512 MiB local: 3 of 3 ready)",
    ]);
    lines.length = 0;
    await fillWarmPools(poolsClient([[pool(3)]]), {
      onNotice,
      shape: { cpu: 0.25, memory: 512, image: "host" },
    });
    expect(lines).toEqual([]);
  });

  it("takes a Hub without GET /v1/pools (404) as one without pools, and passes any other error on", async () => {
    const missing = { pools: () => Promise.reject(new HubApiError("not_found", "no route", 404)) };
    await expect(fillWarmPools(missing, {})).resolves.toBeUndefined();
    const refused = { pools: () => Promise.reject(new HubApiError("unauthorized", "bad token", 401)) };
    await expect(fillWarmPools(refused, {})).rejects.toThrow("bad token");
  });
});
