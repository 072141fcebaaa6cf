import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunRecord } from "../../src/bench/format.js";
import { startLocalHub } from "../../src/bench/local-hub.js";
import { EXIT } from "../../src/bench/program.js";
import { cli } from "./cli-io.js";

/** The README's main job on one machine: no --hub, so the tool starts the Hub on the local orchestrator (bubblewrap). */
describe("hub-bench spawn on the embedded local Hub", () => {
  let workDir: string;
  beforeAll(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), "hub-bench-e2e-"));
  });
  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  it("creates 3 real sandboxes, runs `ls /` 10 times in each, deletes them and prints the histograms", async () => {
    const jsonPath = path.join(workDir, "local.json");
    const run = await cli(["spawn", "-n", "3", "-i", "50", "--scenario", "exec", "--json", jsonPath]);
    expect(run.stderr).toBe(`wrote ${jsonPath}\n`);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toContain("Container creation time");
    expect(run.stdout).toContain("Average time to exec command in container");
    const record = JSON.parse(await readFile(jsonPath, "utf8")) as RunRecord;
    expect(record.hub).toMatchObject({ orchestrator: "local", embedded: true });
    expect(record.label).toBe("local");
    expect(record.samples.map((sample) => sample.status)).toEqual(["ok", "ok", "ok"]);
    for (const sample of record.samples) {
      expect(sample.commands).toHaveLength(10);
      expect(sample.commands.every((command) => command.exitCode === 0)).toBe(true);
      expect(Object.keys(sample.hubTimings ?? {})).toContain("ready");
    }
    expect(record.cleanup).toEqual({ kept: false, deleted: 3, failed: [], abandonedInFlight: 0 });
  });

  it("on a Hub keeping a warm pool of 2, waits for it, then a burst of 5 shows claims against cold starts", async () => {
    const jsonPath = path.join(workDir, "warm.json");
    // The Hub's default shape, the pool's: a pool serves only creates of its exact shape.
    const shape = ["--cpu", "0.25", "--mem", "512"];
    const run = await cli(["spawn", "-n", "5", "-i", "0", ...shape, "--json", jsonPath], {
      startLocalHub: () => startLocalHub({ env: { HUB_WARM_POOL_SIZE: "2" } }),
    });
    expect(run.code).toBe(EXIT.ok);
    const record = JSON.parse(await readFile(jsonPath, "utf8")) as RunRecord;
    const claims = record.samples.filter((sample) => sample.warm === true);
    const cold = record.samples.filter((sample) => sample.warm === false);
    // The pool was full when the burst started: its 2 members were claimed; a refill may win one more.
    expect(claims.length).toBeGreaterThanOrEqual(2);
    expect(cold.length).toBeGreaterThanOrEqual(1);
    expect(claims.length + cold.length).toBe(5);
    for (const sample of claims) expect(Object.keys(sample.hubTimings ?? {})).toContain("claimed");
    expect(run.stdout).toContain(`Warm pool: ${claims.length} of 5 creates claimed a ready member`);
    expect(record.cleanup).toMatchObject({ deleted: 5, failed: [] });
  });
});
