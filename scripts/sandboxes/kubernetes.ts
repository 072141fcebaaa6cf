/**
 * Deletes every pod a Hub started, by its instance label, and waits until they are gone: on Fargate each
 * holds an ENI in the VPC, and on EC2 workers a pod being deleted keeps its node from draining.
 */
import type { CoreV1Api, V1Pod } from "@kubernetes/client-node";
import { METADATA_KEY } from "../../hub-app/src/orchestrator/metadata-keys";
import type { KubernetesTarget } from "./targets";
import { forEachLimited } from "../../hub-app/src/concurrency";
import { waitUntil } from "./wait";

async function listPods(core: CoreV1Api, target: KubernetesTarget): Promise<V1Pod[]> {
  const labelSelector = `${METADATA_KEY.instance}=${target.instance}`;
  const pods: V1Pod[] = [];
  let next: string | undefined;
  do {
    const page = await core.listNamespacedPod({
      namespace: target.namespace,
      labelSelector,
      _continue: next,
      limit: 500,
    });
    pods.push(...page.items);
    next = page.metadata?._continue || undefined;
  } while (next !== undefined);
  return pods;
}

const isNotFound = (error: unknown) => (error as { code?: number }).code === 404;

export async function stopKubernetesSandboxes(
  core: CoreV1Api,
  target: KubernetesTarget,
  options: { readonly deadline: number },
): Promise<{ readonly stopped: number }> {
  const pods = await listPods(core, target);
  await forEachLimited(pods, 10, async (pod) => {
    try {
      await core.deleteNamespacedPod({ name: pod.metadata!.name!, namespace: target.namespace });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  });
  await waitUntil(async () => (await listPods(core, target)).length === 0, {
    deadline: options.deadline,
    describeRemaining: async () => {
      const left = await listPods(core, target);
      return `${left.length} pod(s) in ${target.namespace} still there: ${left.map((p) => p.metadata?.name).join(", ")}`;
    },
  });
  return { stopped: pods.length };
}
