/**
 * Runs Karpenter's kwok controller out of cluster against the local control plane: its CRDs, a
 * KWOKNodeClass and a NodePool shaped like the stack's worker group, then the controller itself as a
 * process of the cluster's folder (so `npm run cluster -- down` stops it too).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { serverSideApply } from "../../cluster/apply";
import { ensureProgram } from "../../cluster/binaries";
import type { ClusterInfo } from "../../cluster/control-plane";
import { freePorts } from "../../cluster/ports";
import { componentEnv, logTail, startProcess } from "../../cluster/processes";
import type { NodePool as StackNodePool } from "../../cluster/stack-shape";
import { waitFor } from "../../cluster/wait";
import { instanceTypesFile, kwokNodeClass, NODE_CLASS_NAME, NODE_POOL_NAME, workerNodePool } from "./objects";
import { karpenterCrds, karpenterModule } from "./program";

export interface KarpenterOptions {
  /** The stack's worker group; Karpenter adds nodes shaped like it. */
  readonly pool: StackNodePool;
  /** How many nodes Karpenter may add (eks.workerMax less the fixed ones). */
  readonly maxNodes: number;
  readonly nodeProvisioningSeconds: number;
  readonly log: (line: string) => void;
}

const READY_DEADLINE_MS = 120_000;

function customObjects(info: ClusterInfo): CustomObjectsApi {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(info.kubeconfig);
  return kubeConfig.makeApiClient(CustomObjectsApi);
}

async function applyOrThrow(info: ClusterInfo, objects: Parameters<typeof serverSideApply>[1]) {
  const failures = await serverSideApply(info.kubeconfig, objects);
  if (failures.length > 0) {
    throw new Error(
      `the API server refused Karpenter's objects:\n${failures.map((f) => `  ${f.object}: ${f.message}`).join("\n")}`,
    );
  }
}

/**
 * Nothing in the kwok provider reconciles a KWOKNodeClass's status, and a NodePool stays not Ready until
 * its class is: the class is declared Ready here, as an operator's controller would for a real class.
 */
async function markNodeClassReady(api: CustomObjectsApi): Promise<void> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  await api.patchClusterCustomObjectStatus(
    {
      group: "karpenter.kwok.sh",
      version: "v1alpha1",
      plural: "kwoknodeclasses",
      name: NODE_CLASS_NAME,
      body: {
        status: {
          conditions: [
            {
              type: "Ready",
              status: "True",
              reason: "Ready",
              message: "",
              lastTransitionTime: now,
              observedGeneration: 1,
            },
          ],
        },
      },
    },
    setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
  );
}

async function nodePoolReady(api: CustomObjectsApi): Promise<boolean> {
  const pool = (await api.getClusterCustomObject({
    group: "karpenter.sh",
    version: "v1",
    plural: "nodepools",
    name: NODE_POOL_NAME,
  })) as { status?: { conditions?: { type: string; status: string }[] } };
  return pool.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;
}

/** Applies the CRDs and objects, starts the controller and waits until its NodePool is Ready. */
export async function startKarpenter(info: ClusterInfo, options: KarpenterOptions): Promise<void> {
  const program = await ensureProgram(karpenterModule(), options.log);
  await applyOrThrow(info, karpenterCrds());
  const api = customObjects(info);
  await waitFor(
    "Karpenter's CRDs served",
    async () => {
      await api.listClusterCustomObject({ group: "karpenter.sh", version: "v1", plural: "nodepools" });
      await api.listClusterCustomObject({
        group: "karpenter.kwok.sh",
        version: "v1alpha1",
        plural: "kwoknodeclasses",
      });
      return true;
    },
    { deadlineMs: 60_000 },
  );
  await applyOrThrow(info, [
    kwokNodeClass(options.nodeProvisioningSeconds),
    workerNodePool(options.pool, options.maxNodes),
  ]);
  await markNodeClassReady(api);

  const dir = join(info.dir, "karpenter");
  mkdirSync(dir, { recursive: true });
  const instanceTypes = join(dir, "instance-types.json");
  writeFileSync(instanceTypes, JSON.stringify(instanceTypesFile(options.pool.instanceType, true), null, 2));
  const [metrics, health] = await freePorts(2);
  const started = startProcess(
    info.dir,
    "karpenter",
    program,
    [],
    componentEnv(dir, {
      KUBECONFIG: info.kubeconfig,
      INSTANCE_TYPES_FILE_PATH: instanceTypes,
      // One controller out of cluster: no lease to win, no Service for webhooks.
      DISABLE_LEADER_ELECTION: "true",
      METRICS_PORT: String(metrics),
      HEALTH_PROBE_PORT: String(health),
      LOG_LEVEL: "debug",
    }),
  );
  let exited: number | null | undefined;
  void started.exited.then((code) => (exited = code));
  const gaveUp = () =>
    exited === undefined
      ? undefined
      : `karpenter exited (${exited}); the end of ${started.log}:\n${logTail(started.log)}`;
  await waitFor("Karpenter's NodePool Ready", () => nodePoolReady(api), {
    deadlineMs: READY_DEADLINE_MS,
    gaveUp,
    intervalMs: 500,
  });
  options.log(
    `Karpenter ${karpenterModule().extraLdflags?.[1]?.split("=")[1]} (kwok provider) adds up to ${options.maxNodes} x ${options.pool.instanceType}, each Ready ${options.nodeProvisioningSeconds} s after launch; log ${started.log}`,
  );
}
