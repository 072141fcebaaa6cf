/**
 * The red-team run of issue 19 as a benchmark: one Hub on the local orchestrator (the compiled
 * build in a process of its own, as the Docker image runs it) takes, in turn, a burst of
 * concurrent creates, a /metrics flood with those containers present, and thousands of slow
 * connections (headers never finished), while a separate process probes /healthz every 50 ms on
 * new connections. Prints per phase: status codes and errors seen, the worst and p99 /healthz
 * latency and failed probes, the Hub's peak RSS. Needs root, bubblewrap, and `ulimit -n` above
 * the slow connections plus 2000 (the Hub inherits it: each held connection is an fd on both sides).
 *
 *   ulimit -n 20000; npx tsx hub-app/bench/red-team.ts [--creates 1000] [--scrapes 100]
 *     [--rounds 10] [--slow 10000] [--hold 60] [--no-build]
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { buildHub, startCompiledHub, type CompiledHub } from "./floor/compiled-hub.js";
import { inBatches } from "./floor/load.js";
import { slowConnections } from "./red-team/slow-connections.js";
import {
  healthOf,
  peakRss,
  tally,
  within,
  type Phase,
  type Probe,
  type RssSample,
} from "./red-team/summary.js";

const { values } = parseArgs({
  options: {
    creates: { type: "string", default: "1000" },
    scrapes: { type: "string", default: "100" },
    rounds: { type: "string", default: "10" },
    slow: { type: "string", default: "10000" },
    hold: { type: "string", default: "60" },
    build: { type: "boolean", default: true },
  },
  allowNegative: true,
});
const positive = (name: string, value: string): number => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new Error(`--${name} must be a positive integer`);
  return number;
};
const creates = positive("creates", values.creates);
const scrapes = positive("scrapes", values.scrapes);
const rounds = positive("rounds", values.rounds);
const slow = positive("slow", values.slow);
const holdMs = positive("hold", values.hold) * 1000;
if (process.getuid?.() !== 0)
  throw new Error("the red-team benchmark needs root (the local orchestrator as npm start runs it)");
const openFiles = Number(
  /^Max open files\s+(\d+)/m.exec(await readFile("/proc/self/limits", "utf8"))?.[1] ?? 0,
);
if (openFiles < slow + 2000)
  throw new Error(
    `ulimit -n is ${openFiles}: run \`ulimit -n ${slow + 2000}\` (or more) first, or lower --slow`,
  );

const PROBE_INTERVAL_MS = 50;
const DELETE_CLIENTS = 16;
/** Where the slow connections come from: one client, not the prober (HUB_MAX_CONNECTIONS_PER_CLIENT counts per address). */
const ATTACKER_ADDRESS = "127.0.0.3";

if (values.build) await buildHub();
const root = await mkdtemp(join(tmpdir(), "hub-red-team-"));
const hub = await startCompiledHub({ HUB_LOCAL_ROOT: root });
const probes: Probe[] = [];
const rss: RssSample[] = [];
const phases: (Phase & { note?: string })[] = [];
const prober = spawn(
  process.execPath,
  [
    "--import",
    "tsx",
    join(import.meta.dirname, "red-team", "health-probe.ts"),
    hub.url,
    String(PROBE_INTERVAL_MS),
  ],
  {
    stdio: ["ignore", "pipe", "inherit"],
  },
);
createInterface({ input: prober.stdout }).on("line", (line) => probes.push(JSON.parse(line) as Probe));
// The probe's own start (tsx compiling it) is not the Hub's latency: phases begin once it answers.
const firstProbe = Date.now() + 30_000;
while (probes.length === 0 && Date.now() < firstProbe)
  await new Promise((resolve) => setTimeout(resolve, 50));
const sampling = setInterval(() => {
  void hub.memory().then(
    ({ rssMiB }) => rss.push({ at: Date.now(), rssMiB }),
    () => undefined,
  );
}, PROBE_INTERVAL_MS);

/** How a fetch ended: its status, or the code of the error under undici's "fetch failed". */
async function outcomeOf(call: Promise<Response>): Promise<string> {
  try {
    const response = await call;
    await response.arrayBuffer();
    return String(response.status);
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? (error as Error).message;
  }
}

async function phase(
  name: string,
  work: () => Promise<{ outcomes: string[]; note?: string }>,
): Promise<void> {
  process.stderr.write(`${name}...\n`);
  const startedAt = Date.now();
  const { outcomes, note } = await work();
  phases.push({ name, startedAt, endedAt: Date.now(), outcomes, ...(note === undefined ? {} : { note }) });
}

const auth = { authorization: `Bearer ${hub.token}` };
try {
  // Quiet seconds first: the probe's baseline.
  await phase("idle", async () => {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    return { outcomes: [] };
  });
  await phase(`${creates} concurrent creates`, async () => {
    const outcomes = await Promise.all(
      Array.from({ length: creates }, () =>
        outcomeOf(
          fetch(`${hub.url}/v1/containers`, {
            method: "POST",
            headers: { ...auth, "content-type": "application/json" },
            body: JSON.stringify({ ttlSeconds: 3600 }),
          }),
        ),
      ),
    );
    return { outcomes };
  });
  const present = (await hub.api<{ items: unknown[] }>("GET", "/v1/containers")).items.length;
  await phase(`/metrics flood: ${scrapes} concurrent scrapes × ${rounds}`, async () => {
    const outcomes: string[] = [];
    for (let round = 0; round < rounds; round++) {
      const batch = Array.from({ length: scrapes }, () =>
        outcomeOf(fetch(`${hub.url}/metrics`, { headers: auth })),
      );
      outcomes.push(...(await Promise.all(batch)));
    }
    return { outcomes, note: `${present} containers present` };
  });
  await phase(`${slow} slow connections (headers never finished)`, async () => {
    // The attacker is one client and the prober (a load balancer's health check) another, as they would
    // be: on loopback, another address of 127.0.0.0/8.
    const url = new URL(hub.url);
    const from = url.hostname === "127.0.0.1" ? ATTACKER_ADDRESS : undefined;
    const { outcomes, lastClosedMs } = await slowConnections(url, slow, holdMs, from);
    return { outcomes, note: `last closed by the Hub after ${(lastClosedMs / 1000).toFixed(1)} s` };
  });
} finally {
  clearInterval(sampling);
  prober.kill();
  const peakMiB = (await hub.memory()).peakMiB;
  printReport(peakMiB);
  await deleteAll(hub);
  await hub.stop();
  await rm(root, { recursive: true, force: true });
}

function printReport(vmHwmMiB: number): void {
  const lines = [
    "| phase | took | answers, or how connections ended | /healthz worst | /healthz p99 | probes not 200 | Hub RSS peak |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const p of phases) {
    const health = healthOf(within(probes, p));
    const name = p.note === undefined ? p.name : `${p.name} (${p.note})`;
    const seconds = ((p.endedAt - p.startedAt) / 1000).toFixed(1);
    const failed = `${health.failed} of ${health.probes}${health.failures ? `: ${health.failures}` : ""}`;
    lines.push(
      `| ${name} | ${seconds} s | ${tally(p.outcomes) || "-"} | ${health.worstMs.toFixed(0)} ms | ${health.p99Ms.toFixed(0)} ms | ${failed} | ${peakRss(within(rss, p)).toFixed(0)} MiB |`,
    );
  }
  process.stdout.write(
    `${lines.join("\n")}\nHub peak RSS over the run (VmHWM): ${vmHwmMiB.toFixed(0)} MiB\n`,
  );
}

async function deleteAll(target: CompiledHub): Promise<void> {
  const { items } = await target
    .api<{ items: { id: string }[] }>("GET", "/v1/containers")
    .catch(() => ({ items: [] }));
  process.stderr.write(`deleting ${items.length} containers...\n`);
  await inBatches(items.length, DELETE_CLIENTS, (index) =>
    target.api("DELETE", `/v1/containers/${items[index]!.id}`).catch(() => undefined),
  );
}
