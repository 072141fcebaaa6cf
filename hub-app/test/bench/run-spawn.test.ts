import { afterEach, describe, expect, it } from "vitest";
import { HubClient } from "../../src/bench/client.js";
import { EXEC_REPEATS } from "../../src/bench/options.js";
import { runSpawn, type SpawnPlan } from "../../src/bench/run-spawn.js";
import { summarize } from "../../src/bench/summary.js";
import { startFakeHub, type FakeHub, type FakeHubOptions } from "./fake-hub.js";
import { counter, gate } from "./gate.js";

const basePlan: SpawnPlan = {
  count: 3,
  intervalMs: 0,
  create: { cpu: 0.1, memory: 128 },
  files: [],
  scenario: "basic",
  keep: false,
  drainTimeoutMs: 10_000,
};

let hub: FakeHub | undefined;
let client: HubClient | undefined;

async function setUp(options: FakeHubOptions = {}): Promise<{ hub: FakeHub; client: HubClient }> {
  hub = await startFakeHub(options);
  client = new HubClient(hub.url, hub.token);
  return { hub, client };
}

afterEach(async () => {
  client?.close();
  await hub?.close();
  hub = undefined;
  client = undefined;
});

describe("runSpawn", () => {
  it("creates, runs `ls /` 10 times in each container and deletes every one", async () => {
    const { hub, client } = await setUp();
    const outcome = await runSpawn(client, { ...basePlan, count: 4, scenario: "exec" });
    expect(outcome.samples.map((sample) => sample.status)).toEqual(["ok", "ok", "ok", "ok"]);
    expect(hub.runs).toHaveLength(4 * EXEC_REPEATS);
    for (const sample of outcome.samples) {
      expect(sample.commands).toHaveLength(EXEC_REPEATS);
      expect(sample.readyMs).toBeGreaterThanOrEqual(sample.firedMs);
      expect(sample.hubTimings).toEqual({ accepted: 1, started: 2, ready: 3 });
    }
    expect(hub.live.size).toBe(0);
    expect(outcome.cleanup).toEqual({ kept: false, deleted: 4, failed: [], abandonedInFlight: 0 });
  });

  it("keeps firing on schedule while earlier creates are still unanswered (open loop)", async () => {
    const hold = gate();
    const allArrived = counter(5);
    const { hub, client } = await setUp({
      onCreate: async () => {
        allArrived.hit();
        await hold.promise;
        return { kind: "ready" };
      },
    });
    const run = runSpawn(client, { ...basePlan, count: 5, intervalMs: 2 });
    await allArrived.reached;
    expect(hub.created).toHaveLength(0);
    expect(hub.maxCreatesInFlight()).toBe(5);
    hold.open();
    const outcome = await run;
    expect(outcome.samples.every((sample) => sample.status === "ok")).toBe(true);
    expect(hub.live.size).toBe(0);
  });

  it("records failures by phase and code and still deletes every container created", async () => {
    const { hub, client } = await setUp({
      onCreate: (ordinal) =>
        ordinal === 1 ? { kind: "error", status: 503, code: "no_capacity" } : { kind: "ready" },
      exitCode: (id) => (id === "cnt-00002" ? 2 : 0),
    });
    const outcome = await runSpawn(client, { ...basePlan, count: 3, scenario: "exec" });
    const summary = summarize(outcome.samples, { ...basePlan, count: 3, interrupted: false });
    expect(summary.failuresByCode).toEqual({ "create:no_capacity": 1, "command:exit_2": 1 });
    expect(outcome.samples[1]?.error).toMatchObject({
      phase: "create",
      code: "no_capacity",
      httpStatus: 503,
    });
    expect(outcome.samples[2]?.commands).toHaveLength(1);
    expect(hub.created).toHaveLength(2);
    expect(hub.live.size).toBe(0);
  });

  it("puts the files into each container and deletes them when the upload fails", async () => {
    const files = [
      { path: "app.py", content: Buffer.from("print(1)").toString("base64"), encoding: "base64" as const },
    ];
    const { hub, client } = await setUp({ filesErrorStatus: 400 });
    const outcome = await runSpawn(client, { ...basePlan, count: 2, files });
    expect(outcome.samples.map((sample) => sample.error?.phase)).toEqual(["files", "files"]);
    expect(hub.live.size).toBe(0);
    expect(hub.deleted).toHaveLength(2);
  });

  it("sends the files it was given", async () => {
    const files = [
      { path: "app.py", content: Buffer.from("print(1)").toString("base64"), encoding: "base64" as const },
    ];
    const { hub, client } = await setUp();
    await runSpawn(client, { ...basePlan, count: 1, files });
    expect([...hub.files.values()]).toEqual([{ files }]);
  });

  it("polls a Hub that answers before the container is ready and times ready from the poll", async () => {
    const { client } = await setUp({ onCreate: () => ({ kind: "pending", pollsUntilRunning: 0 }) });
    const outcome = await runSpawn(client, { ...basePlan, count: 1 });
    const [sample] = outcome.samples;
    expect(sample?.status).toBe("ok");
    expect(sample?.readyMs).toBeGreaterThan(sample?.respondedMs ?? Infinity);
  });

  it("with keep deletes nothing", async () => {
    const { hub, client } = await setUp();
    const outcome = await runSpawn(client, { ...basePlan, count: 2, keep: true });
    expect(hub.live.size).toBe(2);
    expect(outcome.cleanup.kept).toBe(true);
  });

  it("on interrupt stops scheduling, waits for the create in flight, then deletes it", async () => {
    const hold = gate();
    const firstArrived = counter(1);
    const { hub, client } = await setUp({
      onCreate: async () => {
        firstArrived.hit();
        await hold.promise;
        return { kind: "ready" };
      },
    });
    const interrupt = new AbortController();
    const notices: string[] = [];
    const run = runSpawn(
      client,
      { ...basePlan, count: 10, intervalMs: 60_000, scenario: "exec" },
      { interrupt: interrupt.signal, onNotice: (line) => notices.push(line) },
    );
    await firstArrived.reached;
    interrupt.abort();
    hold.open();
    const outcome = await run;
    expect(outcome.interrupted).toBe(true);
    expect(outcome.samples).toHaveLength(1);
    expect(hub.created).toHaveLength(1);
    expect(hub.live.size).toBe(0);
    // Interrupted before any command: none is run on the way out.
    expect(hub.runs).toHaveLength(0);
    expect(notices.join("\n")).toContain("waiting up to 10 s for 1 requests in flight");
  });

  it("gives up on a create still in flight at the drain deadline and reports it as abandoned", async () => {
    const hold = gate();
    const firstArrived = counter(1);
    const { client } = await setUp({
      onCreate: async () => {
        firstArrived.hit();
        await hold.promise;
        return { kind: "ready" };
      },
    });
    const interrupt = new AbortController();
    const force = new AbortController();
    const run = runSpawn(
      client,
      { ...basePlan, count: 5, intervalMs: 60_000, drainTimeoutMs: 600_000 },
      { interrupt: interrupt.signal, force: force.signal, onNotice: () => force.abort() },
    );
    await firstArrived.reached;
    interrupt.abort();
    const outcome = await run;
    hold.open();
    expect(outcome.samples[0]).toMatchObject({
      status: "aborted",
      error: { phase: "create", code: "aborted" },
    });
    expect(outcome.cleanup.abandonedInFlight).toBe(1);
  });

  it("reports progress counts that end with everything ready and nothing in flight", async () => {
    const { client } = await setUp();
    const reports: { ready: number; inFlight: number; failed: number }[] = [];
    await runSpawn(client, { ...basePlan, count: 3 }, { onProgress: (progress) => reports.push(progress) });
    expect(reports.at(-1)).toMatchObject({
      total: 3,
      fired: 3,
      created: 3,
      ready: 3,
      failed: 0,
      inFlight: 0,
    });
  });
});
