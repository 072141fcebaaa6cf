/**
 * What the port proxy costs: the same app (the standard library's file server, keep-alive) reached
 * directly from inside the sandbox's network namespace and through a minted port URL (Hub, relay
 * into the namespace, app), by the same Python client, on the compiled Hub (its own process) on the
 * local orchestrator.
 * Prints p50/p99/mean of a small page and of a 10 MB file both ways and their ratios, from one run.
 *
 *   npx tsx hub-app/bench/port-proxy.ts [--small 500] [--large 20]
 */
import { execFile } from "node:child_process";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs, promisify } from "node:util";
import { buildHub, startCompiledHub } from "./floor/compiled-hub.js";
import { describe, type Distribution } from "../src/bench/stats.js";
import { PageProbe } from "../src/bench/web-probe.js";

const { values } = parseArgs({
  options: { small: { type: "string", default: "500" }, large: { type: "string", default: "20" } },
});
const smallCount = Number(values.small);
const largeCount = Number(values.large);
if (![smallCount, largeCount].every((count) => Number.isInteger(count) && count >= 1)) {
  throw new Error("--small and --large must be positive integers");
}
/** Requests before the measured ones: connections opened, the relay started, caches warm. */
const WARMUP = 5;
const LARGE_BYTES = 10 * 1024 * 1024;
const PORT = 8000;
const here = import.meta.dirname;

const root = await mkdtemp(join(tmpdir(), "hub-proxy-bench-"));
// A root Hub gives each sandbox its own uid, which must pass through the folders above its own.
await chmod(root, 0o711);
// The compiled Hub in its own process, as the Docker image runs it.
await buildHub();
const hub = await startCompiledHub({ HUB_LOCAL_ROOT: join(root, "sandboxes") });
const probe = new PageProbe();

function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  return hub.api<T>(method, path, body);
}

interface Timings {
  readonly bytes: number;
  readonly ms: Distribution;
}

function timings(output: string): Timings {
  const parsed = JSON.parse(output) as { bytes: number; seconds: number[] };
  return { bytes: parsed.bytes, ms: describe(parsed.seconds.slice(WARMUP).map((s) => s * 1000)) };
}

async function direct(id: string, file: string, count: number): Promise<Timings> {
  const url = `http://127.0.0.1:${PORT}/${file}`;
  const run = await api<{ exitCode: number; stdout: string; stderr: string }>(
    "POST",
    `/v1/containers/${id}/run`,
    {
      command: ["python3", "fetch_times.py", url, String(count + WARMUP)],
      timeoutMs: 300_000,
    },
  );
  if (run.exitCode !== 0) throw new Error(`direct ${file}: ${run.stderr}`);
  return timings(run.stdout);
}

async function proxied(pageUrl: URL, cookie: string, file: string, count: number): Promise<Timings> {
  const script = join(here, "web", "fetch_times.py");
  const url = new URL(file, pageUrl).toString();
  const { stdout } = await promisify(execFile)("python3", [script, url, String(count + WARMUP), cookie], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return timings(stdout);
}

const ms = (value: number | null): string => (value === null ? "-" : value.toFixed(3));
const ratio = (a: number | null, b: number | null): string =>
  a === null || b === null || a === 0 ? "-" : `${(b / a).toFixed(2)}x`;

function rows(name: string, near: Timings, far: Timings): string[] {
  const throughput = (t: Timings): string =>
    t.ms.p50 === null || t.bytes < 1024 * 1024
      ? "-"
      : `${(t.bytes / 1024 / 1024 / (t.ms.p50 / 1000)).toFixed(0)} MiB/s`;
  const line = (how: string, t: Timings): string =>
    `${`${name}, ${how}`.padEnd(30)}${String(t.ms.count).padStart(5)}${ms(t.ms.p50).padStart(10)}${ms(t.ms.p99).padStart(10)}${ms(t.ms.mean).padStart(10)}${throughput(t).padStart(12)}`;
  return [
    line("direct", near),
    line("through the Hub", far),
    `${`${name}, ratio`.padEnd(30)}${"".padStart(5)}${ratio(near.ms.p50, far.ms.p50).padStart(10)}${ratio(near.ms.p99, far.ms.p99).padStart(10)}${ratio(near.ms.mean, far.ms.mean).padStart(10)}`,
  ];
}

try {
  const container = await api<{ id: string }>("POST", "/v1/containers", { ports: [PORT] });
  const { id } = container;
  const page = "<!doctype html><title>bench</title>" + "<p>a small page</p>".repeat(40);
  await api("PUT", `/v1/containers/${id}/files`, {
    files: [
      { path: "index.html", content: page },
      { path: "server.py", content: await readFile(join(here, "web", "server.py"), "utf8") },
      { path: "fetch_times.py", content: await readFile(join(here, "web", "fetch_times.py"), "utf8") },
    ],
  });
  await api("POST", `/v1/containers/${id}/run`, {
    command: [
      "sh",
      "-c",
      `head -c ${LARGE_BYTES} /dev/urandom >large.bin && (nohup python3 server.py ${PORT} </dev/null >server.log 2>&1 &)`,
    ],
  });
  const minted = await api<{ url: string }>("POST", `/v1/containers/${id}/ports/${PORT}/url`);
  const link = await probe.open(minted.url);
  if (link.cookie === undefined) throw new Error(`the port URL set no cookie: ${minted.url}`);
  for (let tries = 0; (await probe.get(link.pageUrl, link.cookie)).status !== 200; tries += 1) {
    if (tries > 100) throw new Error("the app did not answer within 10 s");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const smallDirect = await direct(id, "index.html", smallCount);
  const smallProxied = await proxied(link.pageUrl, link.cookie, "index.html", smallCount);
  const largeDirect = await direct(id, "large.bin", largeCount);
  const largeProxied = await proxied(link.pageUrl, link.cookie, "large.bin", largeCount);
  console.log(`Port proxy cost, one run (local orchestrator; ${WARMUP} warm-up requests each not counted)`);
  console.log(
    `${"(ms per GET)".padEnd(30)}${"n".padStart(5)}${"p50".padStart(10)}${"p99".padStart(10)}${"mean".padStart(10)}${"p50 rate".padStart(12)}`,
  );
  for (const line of [
    ...rows(`${smallDirect.bytes} B page`, smallDirect, smallProxied),
    ...rows("10 MiB file", largeDirect, largeProxied),
  ]) {
    console.log(line);
  }
  await api("DELETE", `/v1/containers/${id}`);
} finally {
  probe.close();
  await hub.stop();
  await rm(root, { recursive: true, force: true });
}
