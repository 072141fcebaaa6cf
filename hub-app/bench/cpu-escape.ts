/**
 * Issue 19 item 5 measured: 64 busy loops that leave their process group and session
 * (`setsid sh -c 'while :; do :; done' &`) in one sandbox of `--cpu` CPUs, and how much CPU they get
 * (their utime + stime from /proc/<pid>/stat, proc(5), over `--seconds`); then one more loop started
 * by a run that times out, and whether anything of that run is left afterwards. Needs root and
 * bubblewrap; with no cgroups on the host the loops take every core, as the log line at start says.
 *
 *   npx tsx hub-app/bench/cpu-escape.ts [--cpu 0.25] [--loops 64] [--seconds 5]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pino from "pino";
import { detectCgroups } from "../src/orchestrator/local/cgroup-detect.js";
import { createLocalOrchestrator } from "../src/orchestrator/local/index.js";

const { values } = parseArgs({
  options: {
    cpu: { type: "string", default: "0.25" },
    loops: { type: "string", default: "64" },
    seconds: { type: "string", default: "5" },
  },
});
const cpu = Number(values.cpu);
const loops = Number(values.loops);
const seconds = Number(values.seconds);
if (!(cpu > 0) || !Number.isInteger(loops) || loops < 1 || !(seconds > 0))
  throw new Error("--cpu must be positive, --loops a positive integer, --seconds positive");
/** USER_HZ: /proc/<pid>/stat counts CPU time in these (proc(5); 100 on Linux/x86). */
const TICKS_PER_SECOND = 100;
const LOOP = "setsid sh -c 'while :; do :; done' >/dev/null 2>&1 &";

const root = await mkdtemp(join(tmpdir(), "hub-cpu-escape-"));
const logger = pino({ level: "info" });
const orchestrator = createLocalOrchestrator(
  { root, maxProcesses: 256, scratchMiB: 1280, network: "none", cgroups: "auto" },
  { instance: "bench", logger },
);
const now = new Date();
const { id } = await orchestrator.create({
  id: "cnt-cpuescape",
  image: "host",
  cpu,
  memoryMiB: 256,
  placement: "local",
  env: {},
  ports: [],
  createdAt: now,
  expiresAt: new Date(now.getTime() + 600_000),
});
const cgroups = (await detectCgroups(root)).cgroups;
const run = (command: string, timeoutMs = 30_000) =>
  orchestrator.run(id, { command: ["sh", "-c", command], timeoutMs, maxOutputBytes: 65_536 });

/** CPU time of every process in the sandbox (its own /proc: its pid namespace only), in ticks. */
async function loopTicks(): Promise<number> {
  const { stdout } = await run("cat /proc/[0-9]*/stat 2>/dev/null");
  let ticks = 0;
  for (const line of stdout.split("\n")) {
    const fields = line.slice(line.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15 of /proc/<pid>/stat: 12 and 13 after the name.
    ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  }
  return ticks;
}

try {
  await run(Array.from({ length: loops }, () => LOOP).join(" "));
  const before = await loopTicks();
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const used = (await loopTicks()) - before;
  const elapsed = (performance.now() - started) / 1000;
  const timedOut = await run(`${LOOP} sleep 60`, 1000);
  const left = (await run("ps -eo args= | grep -c '^sh -c while' || true")).stdout.trim();
  process.stdout.write(
    [
      `cgroups: ${cgroups === undefined ? "none" : cgroups.describe()}`,
      `${loops} setsid busy loops in a sandbox of cpu ${cpu}: ${(used / TICKS_PER_SECOND / elapsed).toFixed(2)} CPUs over ${elapsed.toFixed(1)} s`,
      `a run starting one more and timing out after 1 s: timedOut=${timedOut.timedOut}, answered after ${timedOut.durationMs} ms; busy loops running after it: ${left} (the ${loops} of the run that ended stay)`,
    ].join("\n") + "\n",
  );
} finally {
  await orchestrator.delete(id);
  await orchestrator.close();
  await rm(root, { recursive: true, force: true });
}
