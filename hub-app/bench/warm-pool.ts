/**
 * Warm-pool claims against cold creates, side by side, through the load tester's own run (the same
 * samples, summary and text as `npm run bench -- spawn`):
 *
 * - local: the embedded Hub on the local orchestrator (bubblewrap) keeping a pool of --pool;
 * - kubernetes: a Hub on the Kubernetes orchestrator against the fake API server whose kubelet makes
 *   each Pod Running after --pod-start-ms (an image already on the node; the study's EKS + EC2 pods
 *   were ready in under 10 s), so a cold create waits that long and a claim is one relabel.
 *
 * Each run is a burst of --creates (twice the pool by default) every --interval-ms: the pool is
 * full when it starts, so the first creates claim and the rest start cold until the refill catches up.
 *
 *   npx tsx hub-app/bench/warm-pool.ts [--pool 10] [--creates 20] [--interval-ms 100] [--pod-start-ms 5000]
 */
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { pino } from "pino";
import { buildApp } from "../src/app.js";
import { connectToHub } from "../src/bench/hub-connection.js";
import type { ConnectedHub } from "../src/bench/hub-connection.js";
import { startLocalHub } from "../src/bench/local-hub.js";
import { measure, type MeasureSettings } from "../src/bench/measure.js";
import { renderSummaryText } from "../src/bench/summary-text.js";
import { parseHubEnv } from "../src/config.js";
import { createKubernetesOrchestrator } from "../src/orchestrator/kubernetes/index.js";
import { startFakeKubeApi } from "../test/kubernetes/fake-api-server.js";
import { kubernetesSettings } from "../test/kubernetes/fixtures.js";

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

async function runOn(hub: ConnectedHub, label: string): Promise<void> {
  const record = await measure(hub, runSettings(label), [], {
    onNotice: (line) => process.stderr.write(`${label}: ${line}\n`),
  });
  process.stdout.write(`${renderSummaryText(record)}\n`);
}

async function local(): Promise<void> {
  const hub = await startLocalHub({ env: { HUB_WARM_POOL_SIZE: String(poolSize), LOG_LEVEL: "error" } });
  try {
    await runOn(hub, `local, pool ${poolSize}`);
  } finally {
    await hub.close();
  }
}

async function kubernetes(): Promise<void> {
  const fake = await startFakeKubeApi();
  // The fake kubelet writes two statuses (scheduled, then Running and Ready), one step apart.
  fake.kubeletStepMs = podStartMs / 2;
  const token = "warm-pool-bench-token-0123456789";
  const config = parseHubEnv({
    HUB_ORCHESTRATOR: "kubernetes",
    HUB_API_TOKEN: token,
    HUB_K8S_PLACEMENTS: "ec2",
    HUB_WARM_POOL_SIZE: String(poolSize),
    HUB_WARM_POOL_INTERVAL_MS: "500",
  });
  const logger = pino({ level: "error" });
  const orchestrator = createKubernetesOrchestrator(
    kubernetesSettings({ HUB_K8S_PLACEMENTS: "ec2" }),
    { instance: config.instance, logger },
    { kubeConfig: fake.kubeConfig() },
  );
  const app = await buildApp({ config, orchestrator, logger });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const hub = await connectToHub(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, token);
  try {
    await runOn(hub, `kubernetes fake, pod start ${podStartMs} ms, pool ${poolSize}`);
  } finally {
    await hub.close();
    await app.close();
    await fake.close();
  }
}

process.stdout.write(
  `Warm pool of ${poolSize} against cold creates: ${creates} creates every ${intervalMs} ms, 0.25 vCPU 512 MiB\n\n`,
);
await local();
await kubernetes();
