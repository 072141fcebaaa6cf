import { DaemonSet } from "kubernetes-models/apps/v1";
import { describe, expect, it } from "vitest";
import { imagePullerPodSpec, pullerContainerName } from "../../components/kubernetes/image-puller-spec";
import { PAUSE_IMAGE } from "../../components/kubernetes/pause-image";
import { labelsOf, WORKER_LABEL, WORKER_TAINT } from "../../components/kubernetes/placement";

const workers = { nodeSelector: labelsOf(WORKER_LABEL), tolerations: [WORKER_TAINT] };

describe("imagePullerPodSpec", () => {
  const spec = imagePullerPodSpec(
    ["public.ecr.aws/docker/library/python:3.12-slim", "node:20-slim"],
    workers,
  );

  it("pulls each image in an init container and then only pauses", () => {
    expect(spec.initContainers.map((c) => c.image)).toEqual([
      "public.ecr.aws/docker/library/python:3.12-slim",
      "node:20-slim",
    ]);
    expect(spec.initContainers.map((c) => c.name)).toEqual(["pull-0-python", "pull-1-node"]);
    expect(spec.containers).toHaveLength(1);
    expect(spec.containers[0]!.image).toBe(PAUSE_IMAGE);
  });

  it("lands only on workers: their label selected and their taint tolerated", () => {
    expect(spec.nodeSelector).toEqual({ "sandbox.hub/pool": "workers" });
    expect(spec.tolerations).toEqual([
      { key: "sandbox.hub/dedicated", value: "sandbox", effect: "NoSchedule", operator: "Equal" },
    ]);
  });

  it("runs without root, privileges or a service-account token", () => {
    expect(spec.automountServiceAccountToken).toBe(false);
    for (const container of [...spec.initContainers, ...spec.containers]) {
      expect(container.securityContext).toMatchObject({
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
      });
    }
  });

  it("validates as a DaemonSet against the Kubernetes schema", () => {
    const labels = { "app.kubernetes.io/name": "image-puller" };
    const daemonSet = new DaemonSet({
      metadata: { name: "image-puller", namespace: "image-puller" },
      spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec } },
    });
    expect(() => daemonSet.validate()).not.toThrow();
  });

  it("refuses an empty image list", () => {
    expect(() => imagePullerPodSpec([], workers)).toThrow(/at least one image/);
  });
});

describe("pullerContainerName", () => {
  it("makes a DNS-1123 label from any reference", () => {
    expect(pullerContainerName("123.dkr.ecr.eu-west-1.amazonaws.com/Team_App@sha256:abc", 3)).toBe(
      "pull-3-team-app",
    );
    expect(pullerContainerName("x".repeat(100), 0)).toHaveLength(63);
  });
});
