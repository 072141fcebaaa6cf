import { describe, expect, it } from "vitest";
import {
  asgTagResourceSuffix,
  autoDiscoveryArg,
  autoscalerAsgTags,
  eksOwnedAsgTagKeys,
} from "../../components/eks/autoscaler-tags";
import { clusterAutoscalerValues } from "../../components/eks/cluster-autoscaler-values";
import { EXPENDABLE_PODS_PRIORITY_CUTOFF } from "../../components/kubernetes/overprovisioning-spec";
import { MANAGER_LABEL, WORKER_LABEL, WORKER_TAINT } from "../../components/kubernetes/placement";

describe("autoscalerAsgTags", () => {
  it("describes the nodes' label and taint for scale from zero, and nothing EKS tags itself", () => {
    expect(autoscalerAsgTags([WORKER_LABEL], [WORKER_TAINT])).toEqual([
      { key: "k8s.io/cluster-autoscaler/node-template/label/sandbox.hub/pool", value: "workers" },
      {
        key: "k8s.io/cluster-autoscaler/node-template/taint/sandbox.hub/dedicated",
        value: "sandbox:NoSchedule",
      },
    ]);
  });

  it("has no tags for an untainted, unlabelled group", () => {
    expect(autoscalerAsgTags([], [])).toEqual([]);
  });

  it("refuses two labels with the same key and an empty cluster name", () => {
    expect(() => autoscalerAsgTags([WORKER_LABEL, MANAGER_LABEL], [])).toThrow(
      /repeat key\(s\): k8s.io\/cluster-autoscaler\/node-template\/label\/sandbox.hub\/pool/,
    );
    expect(() => eksOwnedAsgTagKeys("")).toThrow(/cluster name must not be empty/);
  });

  it("names each tag resource after its key, so removing one never renumbers the others", () => {
    expect(autoscalerAsgTags([WORKER_LABEL], [WORKER_TAINT]).map((t) => asgTagResourceSuffix(t.key))).toEqual(
      ["label-sandbox-hub-pool", "taint-sandbox-hub-dedicated"],
    );
  });

  it("discovers exactly the groups those tags mark", () => {
    expect(autoDiscoveryArg("c1")).toBe(
      "asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/c1,k8s.io/cluster-autoscaler/node-template/label/sandbox.hub/pool",
    );
  });
});

describe("clusterAutoscalerValues", () => {
  const values = clusterAutoscalerValues({
    clusterName: "c1",
    region: "eu-west-1",
    serviceAccountName: "ca",
  });

  it("auto-discovers this cluster's groups in its region", () => {
    expect(values.autoDiscovery).toEqual({
      clusterName: "c1",
      tags: [
        "k8s.io/cluster-autoscaler/enabled",
        "k8s.io/cluster-autoscaler/c1",
        "k8s.io/cluster-autoscaler/node-template/label/sandbox.hub/pool",
      ],
    });
    expect(values.awsRegion).toBe("eu-west-1");
    expect(values.cloudProvider).toBe("aws");
  });

  it("states the flags: balance, least-waste, system pods, scale-down timing, expendable cutoff -10", () => {
    expect(values.extraArgs).toMatchObject({
      "balance-similar-node-groups": true,
      expander: "least-waste",
      "skip-nodes-with-system-pods": false,
      "scale-down-unneeded-time": "10m",
      "expendable-pods-priority-cutoff": -10,
    });
    expect(EXPENDABLE_PODS_PRIORITY_CUTOFF).toBe(-10);
  });

  it("uses the IRSA service account instead of making its own", () => {
    expect(values.rbac.serviceAccount).toEqual({ create: false, name: "ca" });
  });

  it("runs on the manager group and tolerates nothing, so never on workers", () => {
    expect(values.nodeSelector).toEqual({ "sandbox.hub/pool": "manager" });
    expect(values.tolerations).toEqual([]);
  });

  it("refuses a scale-down time that is not a duration", () => {
    expect(() =>
      clusterAutoscalerValues({
        clusterName: "c1",
        region: "r",
        serviceAccountName: "ca",
        scaleDownUnneededTime: "soon",
      }),
    ).toThrow(/scaleDownUnneededTime must be a duration such as 10m, got "soon"/);
  });
});
