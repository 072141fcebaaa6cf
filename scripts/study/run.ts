/**
 * The study, cell by cell: put the cluster in the cell's starting state, start a Hub on it, let the
 * load tester create the cell's containers open loop (and delete them), and read what happened.
 */
import { KubeConfig } from "@kubernetes/client-node";
import { allocatable } from "../../components/eks/instance-types";
import { WORKER_LABEL } from "../../components/kubernetes/placement";
import { measure } from "../../hub-app/src/bench/measure";
import { DEFAULT_DRAIN_TIMEOUT_MS } from "../../hub-app/src/bench/options";
import { analyzeCell, type CellNotRun, type CellResult } from "./analysis";
import { startStudyCluster, type StudyCluster } from "./cluster";
import { ClusterState } from "./cluster-state";
import { placeholdersFor, warmPoolFor, type Cell, type CellCapacity } from "./grid";
import { startStudyHub } from "./hub";
import { ClusterObserver } from "./observer";
import { waitForWarmPool } from "./warm-pool";

export interface StudyRun {
  readonly dir: string;
  readonly cells: readonly Cell[];
  readonly nodeProvisioningSeconds: number;
  readonly sandbox: { readonly cpu: number; readonly memoryMiB: number };
  readonly log: (line: string) => void;
}

/** Room for a scale-up of many nodes at once plus the removal of the last cell's. */
const SETTLE_MARGIN_MS = 300_000;

export function capacityOf(cluster: StudyCluster, run: StudyRun): CellCapacity {
  return {
    nodeProvisioningSeconds: run.nodeProvisioningSeconds,
    sandbox: run.sandbox,
    node: allocatable(cluster.workers.instanceType, cluster.workers.maxPods),
    maxNodes: cluster.workers.maxSize,
  };
}

async function settle(state: ClusterState, placeholders: number, run: StudyRun): Promise<number> {
  const deadlineMs = run.nodeProvisioningSeconds * 1000 + SETTLE_MARGIN_MS;
  await state.scalePlaceholders(0);
  await state.noSandboxes(deadlineMs);
  await state.removeAddedWorkers(deadlineMs);
  await state.scalePlaceholders(placeholders);
  await state.placeholdersRunning(placeholders, deadlineMs);
  return (await state.workers(WORKER_LABEL)).ready;
}

async function runCell(
  cluster: StudyCluster,
  state: ClusterState,
  observer: ClusterObserver,
  cell: Cell,
  run: StudyRun,
): Promise<CellResult> {
  const capacity = capacityOf(cluster, run);
  const placeholders = placeholdersFor(cell, capacity);
  const warmPoolSize = warmPoolFor(cell, capacity);
  run.log(
    `${cell.config} ${cell.n} x every ${cell.intervalMs} ms: ${placeholders} placeholders, ${warmPoolSize} warm members`,
  );
  const workersAtStart = await settle(state, placeholders, run);
  const hub = await startStudyHub(cluster.info, {
    // A create may wait for a node: give the autoscaler its provisioning time and a margin before the Hub gives up.
    unschedulableDeadlineMs: run.nodeProvisioningSeconds * 1000 + 120_000,
    // One pool of exactly the shape the load tester asks for, so every create of the cell may claim.
    env:
      warmPoolSize > 0
        ? {
            HUB_WARM_POOLS: JSON.stringify([
              { cpu: run.sandbox.cpu, memory: run.sandbox.memoryMiB, size: warmPoolSize },
            ]),
          }
        : {},
  });
  try {
    if (warmPoolSize > 0)
      await waitForWarmPool(hub, warmPoolSize, run.nodeProvisioningSeconds * 1000 + SETTLE_MARGIN_MS);
    const from = Date.now();
    const record = await measure(
      hub,
      {
        count: cell.n,
        intervalMs: cell.intervalMs,
        cpu: run.sandbox.cpu,
        memoryMiB: run.sandbox.memoryMiB,
        files: [],
        scenario: "basic",
        keep: false,
        // Creates that wait for a node take the provisioning time: the drain must outlast it.
        drainTimeoutMs: DEFAULT_DRAIN_TIMEOUT_MS + run.nodeProvisioningSeconds * 1000,
        label: `${cell.config} ${cell.n}@${cell.intervalMs}ms`,
      },
      [],
      { onNotice: run.log },
    );
    const result = analyzeCell(record, observer, {
      config: cell.config,
      placeholders,
      warmPoolSize,
      workersAtStart,
      from,
      to: Date.now(),
    });
    run.log(
      `  CCT p50 ${seconds(result.cct.p50)} p99 ${seconds(result.cct.p99)} max ${seconds(result.cct.max)}; ${result.waitedForNode} waited for a node; ${result.nodesAdded} nodes added; ${result.placeholdersPreempted} placeholders preempted; ${result.failed} failed`,
    );
    return result;
  } finally {
    await hub.close();
  }
}

const seconds = (ms: number | null): string => (ms === null ? "-" : `${(ms / 1000).toFixed(2)} s`);

/** Starts the cluster (or reuses the one in `dir`), runs every cell and returns their results. */
export async function runStudy(run: StudyRun): Promise<{ cells: CellResult[]; notRun: CellNotRun[] }> {
  const cluster = await startStudyCluster({
    dir: run.dir,
    nodeProvisioningSeconds: run.nodeProvisioningSeconds,
    log: run.log,
  });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(cluster.info.kubeconfig);
  const observer = new ClusterObserver(kubeConfig);
  await observer.start();
  const state = new ClusterState(kubeConfig);
  const results: CellResult[] = [];
  const notRun: CellNotRun[] = [];
  try {
    for (const cell of run.cells) {
      try {
        results.push(await runCell(cluster, state, observer, cell, run));
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        run.log(`  not run: ${reason}`);
        notRun.push({ ...cell, reason });
      }
    }
  } finally {
    await observer.stop();
  }
  return { cells: results, notRun };
}
