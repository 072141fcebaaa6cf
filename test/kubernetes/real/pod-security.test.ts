/**
 * Pod Security admission for real (kube-apiserver 1.34's PodSecurity plugin) in the sandbox
 * namespace as the eks-ec2 stack labels it: the Hub's sandbox pod is admitted under
 * `restricted`, and pods that break it are refused with the plugin's reasons.
 */
import { CoreV1Api, KubeConfig, type V1Pod } from "@kubernetes/client-node";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { buildSandboxPod } from "../../../hub-app/src/orchestrator/kubernetes/pod-spec";
import { kubernetesEnvSchema } from "../../../hub-app/src/orchestrator/kubernetes/settings";
import { apiMessage } from "../../../scripts/cluster/apply";
import { SANDBOX_NAMESPACE } from "../../../components/kubernetes/placement";

let core: CoreV1Api;

beforeAll(() => {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(inject("k8sEnv").kubeconfig);
  core = kubeConfig.makeApiClient(CoreV1Api);
});

function sandboxPod(): V1Pod {
  const createdAt = new Date();
  return buildSandboxPod(
    {
      id: "cnt-podsecurity1",
      image: "public.ecr.aws/docker/library/python:3.12-slim",
      cpu: 0.25,
      memoryMiB: 256,
      placement: "ec2",
      env: { LANGUAGE: "python" },
      ports: [8000],
      createdAt,
      expiresAt: new Date(createdAt.getTime() + 3_600_000),
    },
    kubernetesEnvSchema.parse({}),
    "pod-security-test",
  );
}

/** A dry-run create: validation and every admission plugin run, nothing is stored. */
async function admission(pod: V1Pod): Promise<string> {
  return core.createNamespacedPod({ namespace: SANDBOX_NAMESPACE, body: pod, dryRun: "All" }).then(
    () => "admitted",
    (error: unknown) => apiMessage(error),
  );
}

describe("Pod Security 'restricted' in the sandbox namespace", () => {
  it("admits the Hub's sandbox pod", async () => {
    expect(await admission(sandboxPod())).toBe("admitted");
  });

  it("refuses a privileged pod, naming the violation", async () => {
    const pod = sandboxPod();
    const container = pod.spec!.containers[0]!;
    container.securityContext = {
      ...container.securityContext,
      privileged: true,
      allowPrivilegeEscalation: true,
    };
    const answer = await admission(pod);
    expect(answer).toMatch(/violates PodSecurity "restricted:v1\.34"/);
    expect(answer).toMatch(
      /privileged \(container "sandbox" must not set securityContext\.privileged=true\)/,
    );
  });

  it("refuses a pod that may run as root or keeps its capabilities", async () => {
    const pod = sandboxPod();
    delete pod.spec!.securityContext!.runAsNonRoot;
    delete pod.spec!.securityContext!.runAsUser;
    const container = pod.spec!.containers[0]!;
    container.securityContext = {
      allowPrivilegeEscalation: false,
      seccompProfile: { type: "RuntimeDefault" },
    };
    const answer = await admission(pod);
    expect(answer).toMatch(/runAsNonRoot != true/);
    expect(answer).toMatch(/unrestricted capabilities/);
  });

  it("refuses a host path volume", async () => {
    const pod = sandboxPod();
    pod.spec!.volumes = [...(pod.spec!.volumes ?? []), { name: "host", hostPath: { path: "/var/run" } }];
    expect(await admission(pod)).toMatch(
      /restricted volume types \(volume "host" uses restricted volume type "hostPath"\)/,
    );
  });
});
