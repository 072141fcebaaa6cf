/**
 * The study's cluster: the local control plane, the eks-ec2 stack's nodes and objects with its worker
 * group at its minimum size, and Karpenter (kwok provider) adding workers up to the group's maximum.
 */
import { KubeConfig } from "@kubernetes/client-node";
import { labelsOf, WORKER_LABEL } from "../../components/kubernetes/placement";
import type { ClusterInfo } from "../cluster/control-plane";
import type { NodePool } from "../cluster/stack-shape";
import { applyStack, up } from "../cluster/up";
import { ClusterState } from "./cluster-state";
import { startKarpenter } from "./karpenter/start";

export const STUDY_STACK = "eks-ec2";

export interface StudyCluster {
  readonly info: ClusterInfo;
  readonly workers: NodePool;
  /** Workers that exist before any scale-up (the group's minSize). */
  readonly fixedWorkers: number;
  /** How many Karpenter may add (maxSize - minSize). */
  readonly addableWorkers: number;
}

/** Whether a node group is the stack's sandbox worker group: the one carrying the worker label. */
export function isWorkerPool(pool: NodePool): boolean {
  return Object.entries(labelsOf(WORKER_LABEL)).every(([key, value]) => pool.labels[key] === value);
}

export async function startStudyCluster(options: {
  readonly dir: string;
  readonly nodeProvisioningSeconds: number;
  readonly log: (line: string) => void;
}): Promise<StudyCluster> {
  const info = await up({ dir: options.dir, autoscaler: false, log: options.log });
  // The worker group starts at its minimum (a scale-up is the autoscaler's to make); other groups at their desired size.
  const pools = await applyStack(info, STUDY_STACK, options.log, (pool) =>
    isWorkerPool(pool) ? pool.minSize : pool.count,
  );
  const workers = pools.find(isWorkerPool);
  if (workers === undefined) throw new Error(`the ${STUDY_STACK} stack has no sandbox worker group`);
  const addableWorkers = workers.maxSize - workers.minSize;
  // The stack deploys its default headroom; remove it before the autoscaler starts, or Karpenter launches
  // a node for it that a cell would then find half provisioned.
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(info.kubeconfig);
  const state = new ClusterState(kubeConfig);
  await state.scalePlaceholders(0);
  await state.placeholdersRunning(0, 60_000);
  await startKarpenter(info, {
    pool: workers,
    maxNodes: addableWorkers,
    nodeProvisioningSeconds: options.nodeProvisioningSeconds,
    log: options.log,
  });
  return { info, workers, fixedWorkers: workers.minSize, addableWorkers };
}
