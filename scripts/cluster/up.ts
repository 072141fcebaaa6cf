/** `cluster up`: programs (built on first use), control plane, and a stack's nodes and objects. */
import { existsSync, readdirSync, rmSync } from "node:fs";
import { runStack, STACKS, type StackName } from "../../test/harness/stack";
import { serverSideApply } from "./apply";
import { ensureBinaries } from "./binaries";
import { readClusterInfo, startControlPlane, stopControlPlane, type ClusterInfo } from "./control-plane";
import { KWOK_NODE_ANNOTATION } from "./flags";
import { createNodes } from "./nodes";
import { fakeNode, kubernetesObjects, nodePools, skippedTypes, type NodePool } from "./stack-shape";
import { httpsStatus } from "./wait";

export interface UpOptions {
  readonly dir: string;
  readonly stack?: string;
  readonly autoscaler: boolean;
  readonly log: (line: string) => void;
}

/** Stacks whose program puts objects into Kubernetes. */
export const KUBERNETES_STACKS = STACKS.filter((stack) => stack !== "ecs-fargate");

function checkStack(stack: string | undefined): StackName | undefined {
  if (stack === undefined) return undefined;
  if (!(KUBERNETES_STACKS as readonly string[]).includes(stack)) {
    throw new Error(
      `--stack ${stack}: choose one of ${KUBERNETES_STACKS.join(", ")} (ecs-fargate puts nothing into Kubernetes)`,
    );
  }
  return stack as StackName;
}

/** A cluster already running from `dir`, if its API server answers. */
async function running(dir: string): Promise<ClusterInfo | undefined> {
  const info = readClusterInfo(dir);
  if (info === undefined) return undefined;
  const status = await httpsStatus(`${info.server}/readyz`, { caCert: info.caCert });
  // Anonymous /readyz may answer 200 or 401/403 depending on anonymous-auth; any answer means alive.
  return status === undefined ? undefined : info;
}

/**
 * Runs the stack's program under mocks, makes kwok nodes for its node groups (`count` per group, the
 * desired size unless told otherwise) and applies its Kubernetes objects; returns the node groups.
 */
export async function applyStack(
  info: ClusterInfo,
  stack: StackName,
  log: (line: string) => void,
  count: (pool: NodePool) => number = (pool) => pool.count,
): Promise<NodePool[]> {
  log(`Running the ${stack} program under the mock harness for its node groups and Kubernetes objects`);
  const { recorder } = await runStack(stack);
  const pools = nodePools(recorder);
  const nodes = pools.flatMap((pool) =>
    Array.from({ length: count(pool) }, (_, index) => fakeNode(pool, index, KWOK_NODE_ANNOTATION)),
  );
  for (const pool of pools) {
    log(
      `  ${count(pool)} x ${pool.instanceType} (${pool.maxPods} pods) as ${pool.name}-N, labels ${JSON.stringify(pool.labels)}`,
    );
  }
  await createNodes(info.kubeconfig, nodes);
  const objects = kubernetesObjects(recorder);
  for (const skipped of skippedTypes(recorder)) log(`  not applied (not an API object): ${skipped}`);
  const failures = await serverSideApply(info.kubeconfig, objects);
  if (failures.length > 0) {
    throw new Error(
      `the API server refused ${failures.length} of ${objects.length} objects of ${stack}:\n` +
        failures.map((failure) => `  ${failure.object}: ${failure.message}`).join("\n"),
    );
  }
  log(`Applied ${objects.length} objects of ${stack} (server-side apply)`);
  return pools;
}

export async function up(options: UpOptions): Promise<ClusterInfo> {
  const stack = checkStack(options.stack);
  if (options.autoscaler) {
    // The Go module proxy answers 403 for k8s.io/autoscaler/cluster-autoscaler at every version and commit.
    throw new Error(
      "--autoscaler: cluster-autoscaler cannot be built here: the Go module proxy does not serve k8s.io/autoscaler/cluster-autoscaler (403 'This module version is not available'); see docs/testing.md",
    );
  }
  const already = await running(options.dir);
  if (already !== undefined) {
    options.log(`A cluster is already running from ${options.dir}`);
    if (stack !== undefined) await applyStack(already, stack, options.log);
    return already;
  }
  // A cluster that died (machine restart) leaves its folder behind: stop any survivor and start clean.
  if (existsSync(options.dir) && readdirSync(options.dir).length > 0) {
    await stopControlPlane(options.dir);
    rmSync(options.dir, { recursive: true, force: true });
  }
  const started = Date.now();
  const { binaries, kwokStages } = await ensureBinaries(options.log);
  const info = await startControlPlane(options.dir, binaries, kwokStages, options.log);
  try {
    if (stack !== undefined) await applyStack(info, stack, options.log);
  } catch (error) {
    await stopControlPlane(options.dir);
    throw error;
  }
  options.log(`Cluster up in ${Math.round((Date.now() - started) / 1000)} s; logs in ${options.dir}/logs`);
  return info;
}
