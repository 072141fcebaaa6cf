/**
 * Is the load tester ever the bottleneck? `npx tsx hub-app/bench/load-tester-overhead.ts` prints:
 *  1. its event-loop busy time per create at 10 creates/s against a Hub (another process) that answers at once,
 *     next to the floor any HTTP client pays at that pace (bare node:http), and its scheduler lag;
 *  2. that it keeps 1000 creates in flight against a Hub that holds each for 3 s;
 *  3. node:http vs global fetch CPU per request (why client.ts uses node:http).
 * Target: under 1 ms of the tool's own time per create.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import http from "node:http";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { HubClient } from "../src/bench/client.js";
import type { Sample } from "../src/bench/format.js";
import { runSpawn, type SpawnPlan } from "../src/bench/run-spawn.js";
import { describe } from "../src/bench/stats.js";

interface RunningHub {
  readonly url: string;
  readonly token: string;
  readonly child: ChildProcess;
}

async function startHubProcess(holdMs: number): Promise<RunningHub> {
  const script = fileURLToPath(new URL("./fake-hub-server.ts", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", script, String(holdMs)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [line] = (await once(child.stdout, "data")) as [Buffer];
  const { url, token } = JSON.parse(line.toString("utf8")) as { url: string; token: string };
  return { url, token, child };
}

async function stopHubProcess(hub: RunningHub): Promise<void> {
  hub.child.kill("SIGTERM");
  await once(hub.child, "exit");
}

const plan = (count: number, intervalMs: number, scenario: "basic" | "exec"): SpawnPlan => ({
  count,
  intervalMs,
  create: { cpu: 0.1, memory: 128 },
  files: [],
  scenario,
  keep: false,
  drainTimeoutMs: 60_000,
});

const cpuMs = (usage: NodeJS.CpuUsage): number => (usage.user + usage.system) / 1000;
const fixed = (value: number | null, digits = 3): string => (value === null ? "-" : value.toFixed(digits));

/** Most creates open at once, from the samples' send and answer times. */
function maxInFlight(samples: readonly Sample[]): number {
  const events = samples.flatMap((sample) => [
    { at: sample.firedMs, delta: 1 },
    { at: sample.respondedMs ?? sample.finishedMs ?? Infinity, delta: -1 },
  ]);
  events.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let open = 0;
  let most = 0;
  for (const event of events) {
    open += event.delta;
    most = Math.max(most, open);
  }
  return most;
}

/** The floor any HTTP load tester pays: bare node:http creates at the same pace, then deletes; event-loop busy ms per create. */
async function bareRequestsAtPace(
  hub: RunningHub,
  count: number,
  intervalMs: number,
): Promise<{ busyMs: number; roundTripP50: number }> {
  const agent = new http.Agent({ keepAlive: true });
  const call = (method: string, path: string, body?: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const headers = { authorization: `Bearer ${hub.token}`, "content-type": "application/json" };
      const request = http.request(`${hub.url}${path}`, { method, agent, headers }, (response) => {
        let text = "";
        response.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
        response.on("end", () => resolve(text));
      });
      request.on("error", reject);
      request.end(body);
    });
  const ids: string[] = [];
  const roundTrips: number[] = [];
  const before = performance.eventLoopUtilization();
  for (let index = 0; index < count; index += 1) {
    const sent = performance.now();
    const text = await call("POST", "/v1/containers", JSON.stringify({ cpu: 0.1, memory: 128 }));
    roundTrips.push(performance.now() - sent);
    ids.push((JSON.parse(text) as { id: string }).id);
    await sleep(intervalMs - (performance.now() - sent));
  }
  await Promise.all(ids.map((id) => call("DELETE", `/v1/containers/${id}`)));
  const busyMs = performance.eventLoopUtilization(before).active / count;
  agent.destroy();
  return { busyMs, roundTripP50: describe(roundTrips).p50 ?? NaN };
}

async function overheadAtTenPerSecond(scenario: "basic" | "exec", count: number): Promise<void> {
  const hub = await startHubProcess(0);
  const client = new HubClient(hub.url, hub.token);
  try {
    // Warm-up: JIT-compiles both paths, so neither pays compilation in the numbers.
    await runSpawn(client, plan(20, 10, scenario));
    await bareRequestsAtPace(hub, 20, 10);
    const before = performance.eventLoopUtilization();
    const outcome = await runSpawn(client, plan(count, 100, scenario));
    const toolBusyMs = performance.eventLoopUtilization(before).active / count;
    const lag = describe(outcome.samples.map((sample) => sample.firedMs - sample.scheduledMs));
    const creation = describe(outcome.samples.map((sample) => (sample.readyMs ?? NaN) - sample.firedMs));
    const ok = outcome.samples.filter((sample) => sample.status === "ok").length;
    const extra = scenario === "exec" ? " (+10 runs each)" : "";
    console.log(
      `10 creates/s, ${scenario}${extra}, ${count} creates, ${ok} ok: tool busy ${fixed(toolBusyMs)} ms per create; ` +
        `scheduler lag p50 ${fixed(lag.p50)} p99 ${fixed(lag.p99)} max ${fixed(lag.max)} ms; create round trip p50 ${fixed(creation.p50)} p99 ${fixed(creation.p99)} ms`,
    );
    if (scenario === "basic") {
      const bare = await bareRequestsAtPace(hub, count, 100);
      console.log(
        `  floor, bare node:http create+delete at the same pace: busy ${fixed(bare.busyMs)} ms per create, round trip p50 ${fixed(bare.roundTripP50)} ms ` +
          `=> the tool's own code: ${fixed(toolBusyMs - bare.busyMs)} ms busy and ${fixed((creation.p50 ?? NaN) - bare.roundTripP50)} ms added to the measured create time`,
      );
    }
  } finally {
    client.close();
    await stopHubProcess(hub);
  }
}

async function thousandInFlight(): Promise<void> {
  const holdMs = 3000;
  const hub = await startHubProcess(holdMs);
  const client = new HubClient(hub.url, hub.token);
  try {
    const cpuBefore = process.cpuUsage();
    const outcome = await runSpawn(client, plan(1000, 1, "basic"));
    const cpu = cpuMs(process.cpuUsage(cpuBefore));
    const lag = describe(outcome.samples.map((sample) => sample.firedMs - sample.scheduledMs));
    const creation = describe(outcome.samples.map((sample) => (sample.readyMs ?? NaN) - sample.firedMs));
    const ok = outcome.samples.filter((sample) => sample.status === "ok").length;
    const lastFire = Math.max(...outcome.samples.map((sample) => sample.firedMs));
    console.log(
      `1000 creates 1 ms apart, each held ${holdMs} ms by the Hub: max in flight ${maxInFlight(outcome.samples)}, ${ok} ok, ` +
        `${outcome.cleanup.deleted} deleted; all sent within ${fixed(lastFire, 0)} ms; scheduler lag p50 ${fixed(lag.p50)} p99 ${fixed(lag.p99)} max ${fixed(lag.max)} ms; ` +
        `create time p50 ${fixed(creation.p50, 0)} p99 ${fixed(creation.p99, 0)} ms (hold ${holdMs}); tool CPU ${fixed(cpu / 1000)} ms per create`,
    );
  } finally {
    client.close();
    await stopHubProcess(hub);
  }
}

async function transportCost(requests: number): Promise<void> {
  const hub = await startHubProcess(0);
  const client = new HubClient(hub.url, hub.token);
  const measure = async (name: string, call: () => Promise<unknown>): Promise<void> => {
    for (let warm = 0; warm < 200; warm += 1) await call();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    for (let index = 0; index < requests; index += 1) await call();
    const perRequestCpu = cpuMs(process.cpuUsage(cpuBefore)) / requests;
    const perRequestWall = (performance.now() - started) / requests;
    console.log(
      `${name}: ${fixed(perRequestCpu)} ms CPU, ${fixed(perRequestWall)} ms wall per sequential GET /v1/containers`,
    );
  };
  try {
    await measure("node:http keep-alive (client.ts)", () => client.listContainers());
    await measure("global fetch (undici)", async () => {
      const response = await fetch(`${hub.url}/v1/containers`, {
        headers: { authorization: `Bearer ${hub.token}` },
      });
      return response.json();
    });
  } finally {
    client.close();
    await stopHubProcess(hub);
  }
}

console.log(
  `load tester overhead (node ${process.version}); the Hub runs in another process, so busy and CPU times are the tool's own`,
);
await overheadAtTenPerSecond("basic", 100);
await overheadAtTenPerSecond("exec", 100);
await thousandInFlight();
await transportCost(2000);
