/**
 * The study's autoscaler for real: the local control plane with the eks-ec2 stack's objects, its
 * worker group at its minimum, and Karpenter's kwok provider (built from the Go module proxy) adding
 * workers shaped like the group. A pod that no longer fits makes Karpenter add one worker, which
 * registers only after the node provisioning time and carries the group's labels, taint and instance
 * type; the pod is then scheduled there. This cluster is the study's own, not the shared one.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api, CustomObjectsApi, KubeConfig, type V1Pod } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  labelsOf,
  SANDBOX_NAMESPACE,
  WORKER_LABEL,
  WORKER_TAINT,
} from "../../../components/kubernetes/placement";
import { buildSandboxPod, kubernetesEnvSchema } from "../../../hub-app/src/orchestrator/kubernetes/index";
import { stopControlPlane } from "../../../scripts/cluster/control-plane";
import { waitFor } from "../../../scripts/cluster/wait";
import { startStudyCluster, type StudyCluster } from "../../../scripts/study/cluster";
import { NODEPOOL_LABEL, NODE_POOL_NAME } from "../../../scripts/study/karpenter/objects";

const PROVISIONING_SECONDS = 5;
let dir: string;
let study: StudyCluster;
let core: CoreV1Api;
let custom: CustomObjectsApi;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "study-cluster-test-"));
  study = await startStudyCluster({
    dir,
    nodeProvisioningSeconds: PROVISIONING_SECONDS,
    log: () => undefined,
  });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(study.info.kubeconfig);
  core = kubeConfig.makeApiClient(CoreV1Api);
  custom = kubeConfig.makeApiClient(CustomObjectsApi);
}, 600_000);

afterAll(async () => {
  if (dir === undefined) return;
  await stopControlPlane(dir);
  rmSync(dir, { recursive: true, force: true });
});

/** A sandbox Pod as the Hub builds it for the ec2 placement (restricted Pod Security, the worker taint), of `milliCpu`. */
function workerPod(name: string, milliCpu: number): V1Pod {
  const createdAt = new Date();
  const pod = buildSandboxPod(
    {
      id: name,
      image: "public.ecr.aws/docker/library/python:3.12-slim",
      cpu: milliCpu / 1000,
      memoryMiB: 256,
      placement: "ec2",
      env: {},
      ports: [],
      createdAt,
      expiresAt: new Date(createdAt.getTime() + 600_000),
    },
    kubernetesEnvSchema.parse({ HUB_K8S_PLACEMENTS: "ec2" }),
    "study-test",
  );
  return { ...pod, metadata: { ...pod.metadata, namespace: SANDBOX_NAMESPACE } };
}

async function nodeOf(name: string): Promise<string | undefined> {
  const pod = await core.readNamespacedPod({ name, namespace: SANDBOX_NAMESPACE });
  return pod.spec?.nodeName;
}

describe("the study's cluster on Karpenter's kwok provider", () => {
  it("starts with the worker group at its minimum and room to add up to its maximum", async () => {
    expect(study.fixedWorkers).toBe(study.workers.minSize);
    expect(study.addableWorkers).toBe(study.workers.maxSize - study.workers.minSize);
    const workers = await core.listNode({ labelSelector: `${WORKER_LABEL.key}=${WORKER_LABEL.value}` });
    expect(workers.items).toHaveLength(study.fixedWorkers);
  });

  it("adds one worker shaped like the group when a pod no longer fits, Ready only after the provisioning time", async () => {
    const [fixed] = (await core.listNode({ labelSelector: `${WORKER_LABEL.key}=${WORKER_LABEL.value}` }))
      .items;
    const allocatable = fixed?.status?.allocatable?.cpu ?? "";
    const workerMilliCpu = allocatable.endsWith("m")
      ? Number(allocatable.slice(0, -1))
      : Number(allocatable) * 1000;
    expect(workerMilliCpu).toBeGreaterThan(0);
    // Just over half a worker: two never share one, and it stays within the namespace's 4 vCPU per container.
    const request = Math.floor(workerMilliCpu / 20) * 10 + 10;
    await core.createNamespacedPod({ namespace: SANDBOX_NAMESPACE, body: workerPod("fits", request) });
    await waitFor("the first pod on the fixed worker", async () => (await nodeOf("fits")) !== undefined, {
      deadlineMs: 60_000,
      intervalMs: 200,
    });
    await core.createNamespacedPod({ namespace: SANDBOX_NAMESPACE, body: workerPod("waits", request) });

    await waitFor(
      "the second pod scheduled on an added worker",
      async () => (await nodeOf("waits")) !== undefined,
      {
        deadlineMs: 240_000,
        intervalMs: 500,
      },
    );
    const added = await core.readNode({ name: (await nodeOf("waits"))! });
    expect(added.metadata?.name).not.toBe(await nodeOf("fits"));
    expect(added.metadata?.labels).toMatchObject({
      ...labelsOf(WORKER_LABEL),
      [NODEPOOL_LABEL]: NODE_POOL_NAME,
      "node.kubernetes.io/instance-type": study.workers.instanceType,
    });
    expect(added.spec?.taints).toEqual(expect.arrayContaining([expect.objectContaining(WORKER_TAINT)]));

    // The kwok provider creates the Node when the claim's registration delay has passed.
    const claims = (await custom.listClusterCustomObject({
      group: "karpenter.sh",
      version: "v1",
      plural: "nodeclaims",
    })) as { items: { metadata: { creationTimestamp: string }; status?: { nodeName?: string } }[] };
    const claim = claims.items.find((item) => item.status?.nodeName === added.metadata?.name);
    expect(claim).toBeDefined();
    const registeredAfterSeconds =
      (Date.parse(String(added.metadata?.creationTimestamp)) -
        Date.parse(claim!.metadata.creationTimestamp)) /
      1000;
    // Both timestamps are whole seconds: the difference of truncated times is at most one below the delay.
    expect(registeredAfterSeconds).toBeGreaterThanOrEqual(PROVISIONING_SECONDS - 1);
  });
});
