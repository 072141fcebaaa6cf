import { Deployment } from "kubernetes-models/apps/v1";
import { PriorityClass } from "kubernetes-models/scheduling.k8s.io/v1";
import { describe, expect, it } from "vitest";
import { clusterAutoscalerValues } from "../../components/eks/cluster-autoscaler-values";
import {
  PLACEHOLDER_LABELS,
  PLACEHOLDER_PRIORITY,
  placeholderPodSpec,
  placeholderPriorityClass,
} from "../../components/kubernetes/overprovisioning-spec";
import { PAUSE_IMAGE } from "../../components/kubernetes/pause-image";

/** The cutoff cluster-autoscaler actually runs with: the value the stacks give the chart. */
const EXPENDABLE_PODS_PRIORITY_CUTOFF = clusterAutoscalerValues({
  clusterName: "c1",
  region: "eu-west-1",
  serviceAccountName: "cluster-autoscaler",
}).extraArgs["expendable-pods-priority-cutoff"];

/** cluster-autoscaler's rule (FAQ.md): a pending pod triggers scale-up unless its priority is below the cutoff. */
const triggersScaleUp = (priority: number) => !(priority < EXPENDABLE_PODS_PRIORITY_CUTOFF);

describe("placeholder priority", () => {
  it("sits exactly at the expendable cutoff: still triggers scale-up, lowest that does", () => {
    expect(PLACEHOLDER_PRIORITY).toBe(-10);
    expect(triggersScaleUp(PLACEHOLDER_PRIORITY)).toBe(true);
    expect(triggersScaleUp(PLACEHOLDER_PRIORITY - 1)).toBe(false);
    expect(triggersScaleUp(-1000)).toBe(false);
  });

  it("is below every real pod (priority 0) and never preempts anything itself", () => {
    const priorityClass = placeholderPriorityClass("p");
    expect(priorityClass.value).toBeLessThan(0);
    expect(priorityClass.preemptionPolicy).toBe("Never");
    expect(priorityClass.globalDefault).toBe(false);
    expect(() => new PriorityClass(priorityClass).validate()).not.toThrow();
  });
});

describe("placeholderPodSpec", () => {
  const spec = placeholderPodSpec("p", { cpu: 0.1, memoryMiB: 128 });

  it("is a pause container sized like a sandbox that dies at once", () => {
    expect(spec.containers).toHaveLength(1);
    expect(spec.containers[0]!.image).toBe(PAUSE_IMAGE);
    expect(PAUSE_IMAGE).toMatch(/^registry\.k8s\.io\/pause:\d+\.\d+$/);
    expect(spec.containers[0]!.resources.requests).toEqual({ cpu: "100m", memory: "128Mi" });
    expect(spec.terminationGracePeriodSeconds).toBe(0);
    expect(spec.priorityClassName).toBe("p");
  });

  it("selects the worker label and tolerates the worker taint", () => {
    expect(spec.nodeSelector).toEqual({ "sandbox.hub/pool": "workers" });
    expect(spec.tolerations).toEqual([
      { key: "sandbox.hub/dedicated", operator: "Equal", value: "sandbox", effect: "NoSchedule" },
    ]);
  });

  it("validates inside a Deployment", () => {
    const deployment = new Deployment({
      metadata: { name: "placeholders", namespace: "overprovisioning" },
      spec: {
        replicas: 90,
        selector: { matchLabels: { ...PLACEHOLDER_LABELS } },
        template: { metadata: { labels: { ...PLACEHOLDER_LABELS } }, spec: spec as never },
      },
    });
    expect(() => deployment.validate()).not.toThrow();
  });
});
