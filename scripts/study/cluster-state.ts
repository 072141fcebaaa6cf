/**
 * Putting the cluster in a cell's starting state: no sandboxes, no autoscaled workers, the cell's
 * placeholders Running (Karpenter adds the workers they need, as cluster-autoscaler would).
 */
import type { KubeConfig } from "@kubernetes/client-node";
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type V1Node,
} from "@kubernetes/client-node";
import { waitFor } from "../cluster/wait";
import { NODEPOOL_LABEL } from "./karpenter/objects";
import { PLACEHOLDER_NAMESPACE, SANDBOX_NAMESPACE } from "./observer";

/** The placeholder Deployment of the Overprovisioning component (components/kubernetes/overprovisioning.ts). */
export const PLACEHOLDER_DEPLOYMENT = "sandbox-placeholders";

interface NodeClaim {
  readonly metadata: { readonly name: string; readonly deletionTimestamp?: string };
  readonly status?: {
    readonly providerID?: string;
    readonly conditions?: readonly { type: string; status: string }[];
  };
}

const registered = (claim: NodeClaim): boolean =>
  claim.status?.conditions?.some((c) => c.type === "Registered" && c.status === "True") === true;

export class ClusterState {
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly custom: CustomObjectsApi;

  constructor(kubeConfig: KubeConfig) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.apps = kubeConfig.makeApiClient(AppsV1Api);
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  async scalePlaceholders(replicas: number): Promise<void> {
    await this.apps.patchNamespacedDeploymentScale(
      { name: PLACEHOLDER_DEPLOYMENT, namespace: PLACEHOLDER_NAMESPACE, body: { spec: { replicas } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
  }

  async runningPlaceholders(): Promise<{ running: number; pending: number }> {
    const pods = await this.core.listNamespacedPod({ namespace: PLACEHOLDER_NAMESPACE });
    const live = pods.items.filter((pod) => pod.metadata?.deletionTimestamp === undefined);
    const running = live.filter((pod) => pod.status?.phase === "Running").length;
    return { running, pending: live.length - running };
  }

  async workers(workerLabel: { key: string; value: string }): Promise<{ ready: number; added: number }> {
    const nodes = await this.core.listNode({ labelSelector: `${workerLabel.key}=${workerLabel.value}` });
    const ready = (node: V1Node) =>
      node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;
    return {
      ready: nodes.items.filter(ready).length,
      added: nodes.items.filter((node) => node.metadata?.labels?.[NODEPOOL_LABEL] !== undefined).length,
    };
  }

  /**
   * Removes every node Karpenter added. A NodeClaim is deleted only once Registered: the kwok provider
   * creates a launched claim's Node after its registration delay even if the claim is gone by then
   * (sigs.k8s.io/karpenter v1.14.1 kwok/cloudprovider), which would leave a Node no claim owns. Such an
   * orphan is deleted as Karpenter's garbage collection would. Resolves when no claim and no such node is left.
   */
  async removeAddedWorkers(deadlineMs: number): Promise<void> {
    const claims = { group: "karpenter.sh", version: "v1", plural: "nodeclaims" };
    await waitFor(
      "Karpenter's workers removed",
      async () => {
        const list = (await this.custom.listClusterCustomObject(claims)) as { items: NodeClaim[] };
        for (const claim of list.items.filter(
          (item) => registered(item) && !item.metadata.deletionTimestamp,
        )) {
          await this.custom
            .deleteClusterCustomObject({ ...claims, name: claim.metadata.name })
            .catch(() => undefined);
        }
        // A launched claim knows its instance's providerID before its Node exists.
        const owned = new Set(list.items.map((item) => item.status?.providerID));
        const nodes = await this.core.listNode({ labelSelector: NODEPOOL_LABEL });
        for (const node of nodes.items) {
          const name = node.metadata?.name;
          if (name === undefined || owned.has(name) || node.metadata?.deletionTimestamp !== undefined)
            continue;
          await this.core.deleteNode({ name }).catch(() => undefined);
        }
        return list.items.length === 0 && nodes.items.length === 0;
      },
      { deadlineMs, intervalMs: 1000 },
    );
  }

  /** Resolves when the sandbox namespace holds no pod (a run's deletes have finished). */
  async noSandboxes(deadlineMs: number): Promise<void> {
    await waitFor(
      "sandboxes deleted",
      async () => (await this.core.listNamespacedPod({ namespace: SANDBOX_NAMESPACE })).items.length === 0,
      { deadlineMs, intervalMs: 1000 },
    );
  }

  /** Resolves when `replicas` placeholders run (and none is left over from a larger count). */
  async placeholdersRunning(replicas: number, deadlineMs: number): Promise<void> {
    await waitFor(
      `${replicas} placeholders Running`,
      async () => {
        const { running, pending } = await this.runningPlaceholders();
        return running === replicas && pending === 0;
      },
      { deadlineMs, intervalMs: 1000 },
    );
  }
}
