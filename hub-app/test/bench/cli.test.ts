import { mkdtemp, readFile, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunRecord } from "../../src/bench/format.js";
import { EXIT } from "../../src/bench/program.js";
import { cli, oneLine } from "./cli-io.js";
import { startFakeHub, type FakeHub } from "./fake-hub.js";
import { counter, gate } from "./gate.js";

let hub: FakeHub;
let workDir: string;

beforeEach(async () => {
  hub = await startFakeHub();
  workDir = await mkdtemp(path.join(tmpdir(), "hub-bench-cli-"));
});

afterEach(async () => {
  await hub.close();
  await rm(workDir, { recursive: true, force: true });
});

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const noLocalHub = () => Promise.reject(new Error("the embedded Hub must not start for bad options"));

describe("hub-bench spawn: bad input stops before anything is created", () => {
  it.each([
    [["spawn", "-n", "-3"], "-n must be a whole number from 1 to 10000"],
    [["spawn", "-n", "0"], "-n must be a whole number from 1 to 10000"],
    [["spawn", "--placement", "moon"], "--placement must be one of local, ec2, fargate"],
    [["spawn", "--files", "/nonexistent/app.py"], "--files /nonexistent/app.py cannot be read (ENOENT)"],
    [["spawn", "--json", "/nonexistent/dir/out.json"], "directory /nonexistent/dir is not writable"],
    [["spawn", "--bogus"], "unknown option '--bogus'"],
    [["spawn", "--json", tmpdir()], `--json ${tmpdir()} is a directory; give a file name`],
  ])("%j: one line, exit 2", async (argv, message) => {
    const run = await cli(argv, { startLocalHub: noLocalHub });
    expect(run.code).toBe(EXIT.usage);
    expect(oneLine(run.stderr)).toContain(message);
    expect(run.stdout).toBe("");
  });

  it("stops at the first create the Hub refuses as invalid, with the Hub's reason in one line", async () => {
    // The embedded local Hub allows 0.1-4 vCPU; nothing is left running afterwards.
    const run = await cli(["spawn", "-n", "5", "-i", "50", "--cpu", "99"]);
    expect(run.code).toBe(EXIT.usage);
    expect(oneLine(run.stderr)).toContain("the Hub refused the create: cpu must be a number from 0.1 to 4");
    expect(run.stdout).toBe("");
  });

  it("says so when the Hub cannot be reached", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const run = await cli(["spawn", "--hub", url, "--token", "t"]);
    expect(run.code).toBe(EXIT.usage);
    expect(oneLine(run.stderr)).toMatch(
      /cannot reach the Hub at http:\/\/127\.0\.0\.1:\d+\/: .*ECONNREFUSED/,
    );
  });

  it("says so when the Hub refuses the token, and creates nothing", async () => {
    const run = await cli(["spawn", "--hub", hub.url, "--token", "wrong", "-n", "5"]);
    expect(run.code).toBe(EXIT.usage);
    expect(oneLine(run.stderr)).toContain("refused the token (401 unauthorized): check --token or HUB_TOKEN");
    expect(hub.createsReceived()).toBe(0);
  });
});

describe("hub-bench spawn against a Hub", () => {
  it("prints the study's histograms and writes every sample to --json, without the token", async () => {
    const jsonPath = path.join(workDir, "run.json");
    const run = await cli(
      [
        "spawn",
        "--hub",
        hub.url,
        "-n",
        "3",
        "-i",
        "1",
        "--scenario",
        "exec",
        "--json",
        jsonPath,
        "--label",
        "fake",
      ],
      {
        env: { HUB_TOKEN: hub.token },
      },
    );
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toContain("Container creation time");
    expect(run.stdout).toContain("Average time to exec command in container");
    expect(run.stdout).toMatch(/^creation \(client\)\s+3\s/m);
    expect(run.stdout).toContain("PASS: p99 creation");
    const text = await readFile(jsonPath, "utf8");
    expect(text).not.toContain(hub.token);
    const record = JSON.parse(text) as RunRecord;
    expect(record).toMatchObject({
      format: 1,
      tool: { name: "hub-bench" },
      label: "fake",
      hub: { version: "fake-1", orchestrator: "fake", embedded: false },
      options: { count: 3, intervalMs: 1, scenario: "exec", commandRepeats: 10 },
      cleanup: { deleted: 3 },
    });
    expect(record.samples).toHaveLength(3);
    expect(record.samples[0]).toHaveProperty("scheduledMs");
    expect(record.samples[0]?.commands).toHaveLength(10);
    expect(record.summary.creationMs.count).toBe(3);
    expect(hub.live.size).toBe(0);
  });

  it("sends cpu, memory, placement and ttl with each create", async () => {
    await cli([
      "spawn",
      "--hub",
      hub.url,
      "--token",
      hub.token,
      "--fargate",
      "--cpu",
      "0.25",
      "--mem",
      "512",
      "--ttl",
      "600",
      "--image",
      "python:3.12",
    ]);
    expect(hub.createBodies).toEqual([
      { cpu: 0.25, memory: 512, placement: "fargate", ttlSeconds: 600, image: "python:3.12" },
    ]);
  });

  it("exits 1 and names the error code when creates fail", async () => {
    await hub.close();
    hub = await startFakeHub({ onCreate: () => ({ kind: "error", status: 503, code: "no_capacity" }) });
    const run = await cli(["spawn", "--hub", hub.url, "--token", hub.token, "-n", "2", "-i", "0"]);
    expect(run.code).toBe(EXIT.runFailures);
    expect(run.stdout).toContain("Failures: create:no_capacity x2");
    expect(run.stdout).toContain("FAIL: no container became ready (2 create:no_capacity)");
  });

  it("on interrupt prints the partial summary, deletes what it created and exits 130", async () => {
    await hub.close();
    const hold = gate();
    const twoArrived = counter(2);
    hub = await startFakeHub({
      onCreate: async () => {
        twoArrived.hit();
        await hold.promise;
        return { kind: "ready" };
      },
    });
    const interrupt = new AbortController();
    // 200 ms apart: sending all 50 would take 10 s, far longer than a loaded machine takes to act on the interrupt.
    const running = cli(["spawn", "--hub", hub.url, "--token", hub.token, "-n", "50", "-i", "200"], {
      interrupt: interrupt.signal,
    });
    await twoArrived.reached;
    interrupt.abort();
    hold.open();
    const run = await running;
    expect(run.code).toBe(EXIT.interrupted);
    expect(run.stdout).toContain("INTERRUPTED (partial run)");
    expect(hub.created.length).toBeGreaterThanOrEqual(2);
    expect(hub.created.length).toBeLessThan(50);
    expect(hub.live.size).toBe(0);
  });
});
