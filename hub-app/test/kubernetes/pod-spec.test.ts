import { Pod } from "kubernetes-models/v1";
import { describe, expect, it } from "vitest";
import { buildSandboxPod } from "../../src/orchestrator/kubernetes/index.js";
import { containerSpec, INSTANCE, kubernetesSettings } from "./fixtures.js";

const settings = kubernetesSettings();

describe("the sandbox pod", () => {
  it("is a valid Pod by the Kubernetes OpenAPI schema", () => {
    const pod = buildSandboxPod(containerSpec({ env: { A: "1" }, ports: [8000] }), settings, INSTANCE);
    expect(() => new Pod(pod as ConstructorParameters<typeof Pod>[0]).validate()).not.toThrow();
  });

  it("meets Pod Security 'restricted': non-root, no escalation, no capabilities, RuntimeDefault seccomp", () => {
    const pod = buildSandboxPod(containerSpec(), settings, INSTANCE);
    const container = pod.spec?.containers[0];
    expect(pod.spec?.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 1000,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(container?.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    // Only emptyDir volumes: restricted forbids hostPath, and a sandbox needs nothing else.
    expect(pod.spec?.volumes?.every((volume) => volume.emptyDir !== undefined)).toBe(true);
  });

  it("mounts no service-account token and hides the cluster's service links", () => {
    const pod = buildSandboxPod(containerSpec(), settings, INSTANCE);
    expect(pod.spec?.automountServiceAccountToken).toBe(false);
    expect(pod.spec?.enableServiceLinks).toBe(false);
  });

  it("asks for exactly what it may use: requests equal limits from cpu and memory", () => {
    const pod = buildSandboxPod(containerSpec({ cpu: 0.5, memoryMiB: 1024 }), settings, INSTANCE);
    const amounts = { cpu: "500m", memory: "1024Mi" };
    expect(pod.spec?.containers[0]?.resources).toEqual({ requests: amounts, limits: amounts });
  });

  it("lands ec2 sandboxes on the workers: their label, their taint tolerated, the runtime class if set", () => {
    const gvisor = kubernetesSettings({ HUB_K8S_RUNTIME_CLASS: "gvisor" });
    const pod = buildSandboxPod(containerSpec({ placement: "ec2" }), gvisor, INSTANCE);
    expect(pod.spec?.nodeSelector).toEqual({ "sandbox.hub/pool": "workers" });
    expect(pod.spec?.tolerations).toEqual([
      { key: "sandbox.hub/dedicated", operator: "Equal", value: "sandbox", effect: "NoSchedule" },
    ]);
    expect(pod.spec?.runtimeClassName).toBe("gvisor");
  });

  it("sends fargate sandboxes to the Fargate profile by label alone", () => {
    const pod = buildSandboxPod(containerSpec({ placement: "fargate" }), settings, INSTANCE);
    expect(pod.metadata?.labels?.["sandbox.hub/placement"]).toBe("fargate");
    expect(pod.spec?.nodeSelector).toBeUndefined();
    expect(pod.spec?.tolerations).toBeUndefined();
    expect(pod.spec?.runtimeClassName).toBeUndefined();
  });

  it("carries everything get and list need in labels and annotations", () => {
    const spec = containerSpec({ cpu: 1, memoryMiB: 2048, placement: "fargate" });
    const pod = buildSandboxPod(spec, settings, INSTANCE);
    expect(pod.metadata?.name).toBe(spec.id);
    expect(pod.metadata?.labels).toMatchObject({
      "sandbox.hub/instance": INSTANCE,
      "sandbox.hub/id": spec.id,
    });
    expect(pod.metadata?.annotations).toEqual({
      "sandbox.hub/created-at": spec.createdAt.toISOString(),
      "sandbox.hub/expires-at": spec.expiresAt.toISOString(),
      "sandbox.hub/cpu": "1",
      "sandbox.hub/memory": "2048",
      "sandbox.hub/placement": "fargate",
    });
  });

  it("keeps PID 1 alive with a command that exits on SIGTERM, so deletes are quick", () => {
    const pod = buildSandboxPod(containerSpec(), settings, INSTANCE);
    expect(pod.spec?.containers[0]?.command?.join(" ")).toMatch(/trap 'exit 0' TERM/);
    expect(pod.spec?.restartPolicy).toBe("Never");
  });
});
