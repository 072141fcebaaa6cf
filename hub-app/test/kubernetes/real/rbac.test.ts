/**
 * RBAC for real: the token of the Hub's ServiceAccount, bound only by the eks-ec2 stack's Role in
 * the sandbox namespace, passes the Hub's readiness check there and is refused everywhere else.
 */
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { containerSpec, failureOf } from "../fixtures.js";
import { realOrchestrator, serviceAccountKubeConfig, SANDBOX_NAMESPACE } from "./real-cluster.js";

let hubToken: KubeConfig;

beforeAll(async () => {
  hubToken = await serviceAccountKubeConfig();
});

/** The HTTP status the API server answers a call with. */
async function statusOf(call: Promise<unknown>): Promise<number> {
  return call.then(
    () => 200,
    (error: { code?: number }) => error.code ?? 0,
  );
}

describe("the Hub's ServiceAccount token", () => {
  it("passes the Hub's readiness check (every right a sandbox's life needs) in the sandbox namespace", async () => {
    const { orchestrator } = await realOrchestrator({}, hubToken);
    try {
      await expect(orchestrator.ping()).resolves.toBeUndefined();
    } finally {
      await orchestrator.close();
    }
  });

  it("fails readiness in any other namespace, naming each missing right", async () => {
    const { orchestrator } = await realOrchestrator({ HUB_K8S_NAMESPACE: "default" }, hubToken);
    try {
      const error = await failureOf(orchestrator.ping());
      expect(error.code).toBe("orchestrator_unavailable");
      expect(error.message).toMatch(/not allowed to list pods in namespace default; check its RBAC Role/);
      const create = await failureOf(orchestrator.create(containerSpec()));
      expect(create.code).toBe("orchestrator_unavailable");
      expect(create.message).toMatch(
        /cannot create resource "pods" in API group "" in the namespace "default"/,
      );
    } finally {
      await orchestrator.close();
    }
  });

  it("reads no secrets, nodes or other namespaces' pods; lists its own sandboxes", async () => {
    const core = hubToken.makeApiClient(CoreV1Api);
    expect(await statusOf(core.listNamespacedPod({ namespace: SANDBOX_NAMESPACE }))).toBe(200);
    expect(await statusOf(core.listNamespacedSecret({ namespace: SANDBOX_NAMESPACE }))).toBe(403);
    expect(await statusOf(core.listNamespacedPod({ namespace: "hub" }))).toBe(403);
    expect(await statusOf(core.listNamespacedPod({ namespace: "kube-system" }))).toBe(403);
    expect(await statusOf(core.listPodForAllNamespaces())).toBe(403);
    expect(await statusOf(core.listNode())).toBe(403);
    expect(
      await statusOf(
        core.createNamespacedConfigMap({ namespace: SANDBOX_NAMESPACE, body: { metadata: { name: "x" } } }),
      ),
    ).toBe(403);
  });
});
