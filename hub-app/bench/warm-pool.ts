/**
 * Warm-pool claims against cold creates, side by side, through the load tester's own run (the same
 * samples, summary and text as `npm run bench -- spawn`):
 *
 * - local: the compiled Hub (as the Docker image runs it, in a process of its own) on the local
 *   orchestrator (bubblewrap) keeping a pool of --pool;
 * - kubernetes: the compiled Hub on the Kubernetes orchestrator against the fake API server whose
 *   kubelet makes each Pod Running after --pod-start-ms (an image already on the node; the study's
 *   EKS + EC2 pods were ready in under 10 s), so a cold create waits that long and a claim is one relabel.
 *
 * Each run is a burst of --creates (twice the pool by default) every --interval-ms: the pool is
 * full when it starts, so the first creates claim and the rest start cold until the refill catches up.
 *
 *   npx tsx hub-app/bench/warm-pool.ts [--pool 10] [--creates 20] [--interval-ms 100] [--pod-start-ms 5000]
 */
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { connectToHub } from "../src/bench/hub-connection.js";
import { measure, type MeasureSettings } from "../src/bench/measure.js";
import { renderSummaryText } from "../src/bench/summary-text.js";
import { startFakeKubeApi } from "../test/kubernetes/fake-api-server.js";
import { buildHub, startCompiledHub } from "./floor/compiled-hub.js";

const { values } = parseArgs({
  options: {
    pool: { type: "string", default: "10" },
    creates: { type: "string" },
    "interval-ms": { type: "string", default: "100" },
    "pod-start-ms": { type: "string", default: "5000" },
  },
});

function positiveInteger(flag: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${flag} must be a positive integer, got "${raw}"`);
  return value;
}

const poolSize = positiveInteger("pool", values.pool);
const creates = positiveInteger("creates", values.creates ?? String(poolSize * 2));
const intervalMs = positiveInteger("interval-ms", values["interval-ms"]);
const podStartMs = positiveInteger("pod-start-ms", values["pod-start-ms"]);

/** The Hub's default shape (0.25 vCPU, 512 MiB): the pool's, so every create may claim. */
function runSettings(label: string): MeasureSettings {
  return {
    count: creates,
    intervalMs,
    cpu: 0.25,
    memoryMiB: 512,
    files: [],
    scenario: "basic",
    keep: false,
    label,
    drainTimeoutMs: 120_000,
  };
}

/** The load tester's own run against a compiled Hub started with `env`. */
async function runOn(env: Record<string, string>, label: string): Promise<void> {
  const compiled = await startCompiledHub({ HUB_WARM_POOL_SIZE: String(poolSize), ...env });
  try {
    const hub = await connectToHub(compiled.url, compiled.token);
    const record = await measure(hub, runSettings(label), [], {
      onNotice: (line) => process.stderr.write(`${label}: ${line}\n`),
    });
    await hub.close();
    process.stdout.write(`${renderSummaryText(record)}\n`);
  } finally {
    await compiled.stop();
  }
}

async function local(folder: string): Promise<void> {
  await runOn({ HUB_LOCAL_ROOT: join(folder, "sandboxes") }, `local, pool ${poolSize}`);
}

async function kubernetes(folder: string): Promise<void> {
  const fake = await startFakeKubeApi();
  // The fake kubelet writes two statuses (scheduled, then Running and Ready), one step apart.
  fake.kubeletStepMs = podStartMs / 2;
  const kubeconfig = join(folder, "kubeconfig");
  await writeFile(kubeconfig, fake.kubeConfig().exportConfig());
  try {
    await runOn(
      {
        HUB_ORCHESTRATOR: "kubernetes",
        KUBECONFIG: kubeconfig,
        HUB_K8S_PLACEMENTS: "ec2",
        HUB_WARM_POOL_INTERVAL_MS: "500",
      },
      `kubernetes fake, pod start ${podStartMs} ms, pool ${poolSize}`,
    );
  } finally {
    await fake.close();
  }
}

process.stdout.write(
  `Warm pool of ${poolSize} against cold creates: ${creates} creates every ${intervalMs} ms, 0.25 vCPU 512 MiB\n\n`,
);
const folder = await mkdtemp(join(tmpdir(), "warm-pool-bench-"));
// Each sandbox runs as a uid of its own and must pass through the folder above HUB_LOCAL_ROOT.
await chmod(folder, 0o711);
try {
  await buildHub();
  await local(folder);
  await kubernetes(folder);
} finally {
  await rm(folder, { recursive: true, force: true });
}
