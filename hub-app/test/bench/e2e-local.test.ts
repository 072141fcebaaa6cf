import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunRecord } from "../../src/bench/format.js";
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
});
