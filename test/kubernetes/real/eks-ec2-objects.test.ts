/**
 * The eks-ec2 stack as the shared cluster carries it (applied by `cluster up --stack eks-ec2`):
 * accepted by the API server, admitted under Pod Security, and placed by the real scheduler as
 * the stack intends: placeholders and the image puller on the tainted workers, the Hub on the
 * manager nodes.
 */
import { AppsV1Api, CoreV1Api, KubeConfig, SchedulingV1Api, type V1Pod } from "@kubernetes/client-node";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { dryRunApply } from "./stack-objects";

let kubeConfig: KubeConfig;
const core = () => kubeConfig.makeApiClient(CoreV1Api);
const apps = () => kubeConfig.makeApiClient(AppsV1Api);

beforeAll(() => {
  kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(inject("k8sEnv").kubeconfig);
});

async function poolOf(pod: V1Pod): Promise<string | undefined> {
  const node = await core().readNode({ name: pod.spec?.nodeName ?? "" });
  return node.metadata?.labels?.["sandbox.hub/pool"];
}

async function podsOf(namespace: string): Promise<V1Pod[]> {
  return (await core().listNamespacedPod({ namespace })).items;
}

describe("the eks-ec2 stack on a real API server", () => {
  it("applies again without a refusal (server-side apply is idempotent)", async () => {
    const { failures, objects } = await dryRunApply("eks-ec2");
    expect(failures).toEqual([]);
    expect(objects.length).toBeGreaterThan(15);
  });

  it("keeps the sandbox namespace at Pod Security restricted with its quota and limits", async () => {
    const namespace = await core().readNamespace({ name: "sandboxes" });
    expect(namespace.metadata?.labels).toMatchObject({
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/enforce-version": "v1.34",
    });
    const quota = await core().readNamespacedResourceQuota({ name: "sandbox-quota", namespace: "sandboxes" });
    expect(quota.status?.hard?.pods).toBe(quota.spec?.hard?.pods);
    const limits = await core().readNamespacedLimitRange({
      name: "sandbox-defaults",
      namespace: "sandboxes",
    });
    expect(limits.spec?.limits[0]?.max).toMatchObject({ cpu: "4" });
    const account = await core().readNamespacedServiceAccount({ name: "default", namespace: "sandboxes" });
    expect(account.automountServiceAccountToken).toBe(false);
  });

  it("runs every placeholder on a worker node, below every sandbox's priority", async () => {
    const deployment = await apps().readNamespacedDeployment({
      name: "sandbox-placeholders",
      namespace: "overprovisioning",
    });
    const wanted = deployment.spec?.replicas ?? 0;
    expect(wanted).toBeGreaterThan(0);
    await expect
      .poll(
        async () => (await podsOf("overprovisioning")).filter((p) => p.status?.phase === "Running").length,
        {
          timeout: 60_000,
          interval: 500,
        },
      )
      .toBe(wanted);
    const pools = await Promise.all((await podsOf("overprovisioning")).map(poolOf));
    expect(new Set(pools)).toEqual(new Set(["workers"]));
    const priority = await kubeConfig
      .makeApiClient(SchedulingV1Api)
      .readPriorityClass({ name: deployment.spec?.template.spec?.priorityClassName ?? "" });
    expect(priority.value).toBe(-10);
  });

  it("puts the image puller on each worker and the Hub's replicas on the manager nodes", async () => {
    const workers = (await core().listNode({ labelSelector: "sandbox.hub/pool=workers" })).items.length;
    await expect
      .poll(
        async () =>
          (await apps().readNamespacedDaemonSet({ name: "image-puller", namespace: "image-puller" })).status
            ?.numberReady,
        { timeout: 60_000, interval: 500 },
      )
      .toBe(workers);
    await expect
      .poll(
        async () =>
          (await apps().readNamespacedDeployment({ name: "hub", namespace: "hub" })).status?.readyReplicas,
        { timeout: 60_000, interval: 500 },
      )
      .toBe(2);
    const hubPools = await Promise.all((await podsOf("hub")).map(poolOf));
    expect(new Set(hubPools)).toEqual(new Set(["manager"]));
  });
});
