/** kwok's fake nodes: created once, then Ready when kwok's node-initialize Stage has run. */
import { CoreV1Api, KubeConfig, KubernetesObjectApi } from "@kubernetes/client-node";
import { apiMessage, describeObject } from "./apply";
import type { KubernetesObject } from "./stack-shape";
import { waitFor } from "./wait";

const NODES_READY_DEADLINE_MS = 60_000;

function clients(kubeconfigPath: string) {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  return {
    objects: KubernetesObjectApi.makeApiClient(kubeConfig),
    core: kubeConfig.makeApiClient(CoreV1Api),
  };
}

/** Creates the nodes that do not exist yet and waits until all of them are Ready. */
export async function createNodes(kubeconfigPath: string, nodes: readonly KubernetesObject[]): Promise<void> {
  const { objects, core } = clients(kubeconfigPath);
  for (const node of nodes) {
    try {
      // A create, not an apply: a Node's status (capacity, allocatable) is kept only on create.
      await objects.create(node);
    } catch (error) {
      if ((error as { code?: number }).code !== 409) {
        throw new Error(`cannot create ${describeObject(node)}: ${apiMessage(error)}`);
      }
    }
  }
  const names = new Set(nodes.map((node) => node.metadata.name));
  await waitFor(
    `${names.size} kwok nodes Ready`,
    async () => {
      const list = await core.listNode();
      const ready = list.items.filter(
        (node) =>
          names.has(node.metadata?.name ?? "") &&
          node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
      );
      return ready.length === names.size;
    },
    { deadlineMs: NODES_READY_DEADLINE_MS, intervalMs: 250 },
  );
}
