/**
 * Local orchestrator benchmark: creates N sandboxes through the Hub's HTTP API (embedded Hub on
 * 127.0.0.1), runs `ls /` M times in each, prints p50/p99 of both, and deletes the sandboxes.
 * Requests are sequential: this measures latency, not throughput. The Hub is the compiled build in a
 * process of its own, as the Docker image runs it.
 *
 *   npx tsx hub-app/bench/local.ts [--sandboxes 20] [--runs 20] [--no-build]
 */
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { HUB_VERSION } from "../src/version.js";
import { buildHub, startCompiledHub } from "./floor/compiled-hub.js";

const { values } = parseArgs({
  options: {
    sandboxes: { type: "string", default: "20" },
    runs: { type: "string", default: "20" },
    build: { type: "boolean", default: true },
  },
  allowNegative: true,
});
const sandboxes = Number(values.sandboxes);
const runsEach = Number(values.runs);
if (!Number.isInteger(sandboxes) || sandboxes < 1 || !Number.isInteger(runsEach) || runsEach < 1) {
  throw new Error("--sandboxes and --runs must be positive integers");
}

/** Nearest-rank percentile (p in 0-100) of unsorted samples. */
function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const root = await mkdtemp(join(tmpdir(), "hub-bench-"));
// A root Hub gives each sandbox its own uid, which must pass through the folders above its own.
await chmod(root, 0o711);
if (values.build) await buildHub();
const hub = await startCompiledHub({ HUB_LOCAL_ROOT: join(root, "sandboxes") });

async function timed<T>(call: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await call();
  return [result, performance.now() - started];
}

function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  return hub.api<T>(method, path, body);
}

const createMs: number[] = [];
const runMs: number[] = [];
const ids: string[] = [];
try {
  for (let i = 0; i < sandboxes; i++) {
    const [container, ms] = await timed(() => api<{ id: string }>("POST", "/v1/containers", {}));
    createMs.push(ms);
    ids.push(container.id);
  }
  for (const id of ids) {
    for (let i = 0; i < runsEach; i++) {
      const [result, ms] = await timed(() =>
        api<{ exitCode: number }>("POST", `/v1/containers/${id}/run`, { command: ["ls", "/"] }),
      );
      if (result.exitCode !== 0) throw new Error(`ls / exited ${result.exitCode}`);
      runMs.push(ms);
    }
  }
} finally {
  for (const id of ids) await api("DELETE", `/v1/containers/${id}`).catch(() => undefined);
  await hub.stop();
  await rm(root, { recursive: true, force: true });
}

const line = (name: string, samples: number[]): string =>
  `${name.padEnd(14)} n=${String(samples.length).padEnd(5)} p50=${percentile(samples, 50).toFixed(1)} ms  p99=${percentile(samples, 99).toFixed(1)} ms  max=${Math.max(...samples).toFixed(1)} ms`;
process.stdout.write(
  `Hub ${HUB_VERSION} (compiled), local orchestrator, HTTP round trips on 127.0.0.1, sequential\n`,
);
process.stdout.write(`${line("create", createMs)}\n${line("run `ls /`", runMs)}\n`);
