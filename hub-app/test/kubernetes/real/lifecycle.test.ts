/**
 * The Kubernetes orchestrator against a real kube-apiserver 1.34, scheduler and controller
 * manager, with kwok playing the kubelets: create -> watch -> ready, list, extend, delete, and
 * the failures only a real cluster says in its own words (scheduler, admission, quota).
 */
import { CoreV1Api, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { containerSpec, failureOf } from "../fixtures.js";
import {
  adminKubeConfig,
  cluster,
  HUB_ACCOUNT,
  realOrchestrator,
  SANDBOX_NAMESPACE,
  uniqueName,
  until,
  type RealOrchestrator,
} from "./real-cluster.js";

let hub: RealOrchestrator;
const core = () => adminKubeConfig().makeApiClient(CoreV1Api);

beforeAll(async () => {
  hub = await realOrchestrator();
});
afterAll(async () => {
  await hub.orchestrator.close();
});

describe("a sandbox's life on a real API server", () => {
  it("creates a pod the scheduler puts on a worker, sees it ready through the watch, lists and deletes it", async () => {
    const { orchestrator, instance } = hub;
    const spec = containerSpec();
    const pending = await orchestrator.create(spec);
    expect(pending).toMatchObject({ id: spec.id, status: "pending", placement: "ec2" });

    const ready = await orchestrator.waitReady(spec.id, 30_000);
    expect(ready).toMatchObject({ id: spec.id, status: "running" });
    expect(ready.timings.scheduled).toBeGreaterThanOrEqual(0);
    expect(ready.ip).toMatch(/^127\.64\./);

    const pod = await core().readNamespacedPod({ name: spec.id, namespace: SANDBOX_NAMESPACE });
    // The real scheduler honoured the node selector and the worker taint.
    const node = await core().readNode({ name: pod.spec?.nodeName ?? "" });
    expect(node.metadata?.labels?.["sandbox.hub/pool"]).toBe("workers");
    expect(pod.metadata?.labels?.["sandbox.hub/instance"]).toBe(instance);

    expect((await orchestrator.list()).map((info) => info.id)).toEqual([spec.id]);
    expect(await orchestrator.get(spec.id)).toMatchObject({ status: "running" });

    expect(await orchestrator.delete(spec.id)).toBe(true);
    await expect.poll(() => orchestrator.get(spec.id), { timeout: 30_000, interval: 200 }).toBeUndefined();
    expect(await orchestrator.delete(spec.id)).toBe(false);
  });

  it("moves the expiry with a merge patch the API server stores", async () => {
    const { orchestrator } = hub;
    const spec = containerSpec();
    await orchestrator.create(spec);
    await orchestrator.waitReady(spec.id, 30_000);
    const later = new Date(spec.expiresAt.getTime() + 3_600_000);
    const extended = await orchestrator.extend(spec.id, later);
    expect(extended?.expiresAt).toBe(later.toISOString());
    const pod = await core().readNamespacedPod({ name: spec.id, namespace: SANDBOX_NAMESPACE });
    expect(pod.metadata?.annotations?.["sandbox.hub/expires-at"]).toBe(later.toISOString());
    await orchestrator.delete(spec.id);
  });

  it("answers conflict when the name is taken (409 AlreadyExists from the API server)", async () => {
    const { orchestrator } = hub;
    const spec = containerSpec();
    await orchestrator.create(spec);
    const error = await failureOf(orchestrator.create(spec));
    expect(error.code).toBe("conflict");
    await orchestrator.delete(spec.id);
  });

  it("fails an unpullable image with the kubelet's reason and the Warning event", async () => {
    const { orchestrator } = hub;
    const spec = containerSpec({ image: cluster().unpullableImage });
    await orchestrator.create(spec);
    const error = await failureOf(orchestrator.waitReady(spec.id, 30_000));
    expect(error.code).toBe("container_failed");
    expect(error.message).toMatch(/ErrImagePull/);
    // The Warning event came back through the real events API (list with a field selector).
    expect(error.message).toMatch(/events: Failed: Failed to pull image "registry\.invalid\//);
    await orchestrator.delete(spec.id);
  });

  it("refuses a container above the namespace's LimitRange as the caller's error, quoting the admission plugin", async () => {
    const error = await failureOf(hub.orchestrator.create(containerSpec({ cpu: 16 })));
    expect(error.code).toBe("invalid_request");
    expect(error.message).toMatch(/maximum cpu usage per Container is 4/);
  });
});

describe("a pod no node can take", () => {
  it("fails once the unschedulable deadline has passed, quoting the real scheduler", async () => {
    // A worker label no node carries: the scheduler's FailedScheduling names what did not fit.
    const lost = await realOrchestrator({
      HUB_K8S_WORKER_LABEL: "sandbox.hub/pool=nowhere",
      HUB_K8S_UNSCHEDULABLE_DEADLINE_MS: "2000",
    });
    try {
      const spec = containerSpec();
      await lost.orchestrator.create(spec);
      const error = await failureOf(lost.orchestrator.waitReady(spec.id, 30_000));
      expect(error.code).toBe("container_failed");
      expect(error.message).toMatch(/Unschedulable for \d+ s: 0\/\d+ nodes are available/);
      expect(error.message).toMatch(/didn't match Pod's node affinity\/selector/);
      await lost.orchestrator.delete(spec.id);
    } finally {
      await lost.orchestrator.close();
    }
  });
});

describe("a namespace at its ResourceQuota", () => {
  const namespace = uniqueName("quota");

  beforeAll(async () => {
    const admin = adminKubeConfig();
    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    // The stack's Role for the Hub, copied into a namespace of its own with a quota of one pod.
    const role = await rbac.readNamespacedRole({ name: "hub-sandboxes", namespace: SANDBOX_NAMESPACE });
    await core().createNamespace({
      body: {
        metadata: {
          name: namespace,
          labels: { "pod-security.kubernetes.io/enforce": "restricted" },
        },
      },
    });
    await core().createNamespacedResourceQuota({
      namespace,
      body: { metadata: { name: "one-pod" }, spec: { hard: { pods: "1" } } },
    });
    await rbac.createNamespacedRole({ namespace, body: { metadata: { name: "hub" }, rules: role.rules } });
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name: "hub" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "hub" },
        subjects: [{ kind: "ServiceAccount", ...HUB_ACCOUNT }],
      },
    });
    // The quota controller must have counted the namespace before it enforces anything.
    await until(
      "the quota controller to count the namespace",
      async () =>
        (await core().readNamespacedResourceQuota({ name: "one-pod", namespace })).status?.hard?.pods === "1",
    );
  });
  afterAll(async () => {
    await core().deleteNamespace({ name: namespace });
  });

  it("answers no_capacity with the API server's 'exceeded quota' once the quota is used", async () => {
    const quota = await realOrchestrator({ HUB_K8S_NAMESPACE: namespace });
    try {
      const first = containerSpec();
      await quota.orchestrator.create(first);
      const error = await failureOf(quota.orchestrator.create(containerSpec()));
      expect(error.code).toBe("no_capacity");
      expect(error.message).toMatch(/exceeded quota: one-pod/);
    } finally {
      await quota.orchestrator.close();
    }
  });
});
