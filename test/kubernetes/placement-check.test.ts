import { describe, expect, it } from "vitest";
import { allocatable } from "../../components/eks/instance-types";
import {
  cpuToMilli,
  landingPlaces,
  memoryToMiB,
  tolerates,
  workloadFromPodSpec,
  type ClusterLayout,
  type Workload,
} from "./placement-check";
import { WORKER_TAINT } from "../../components/kubernetes/placement";

const layout: ClusterLayout = {
  nodeGroups: [
    {
      name: "manager",
      labels: { "sandbox.hub/pool": "manager" },
      taints: [],
      allocatable: allocatable("m6i.large", 110),
    },
    {
      name: "workers",
      labels: { "sandbox.hub/pool": "workers" },
      taints: [WORKER_TAINT],
      allocatable: allocatable("m6i.2xlarge", 110),
    },
  ],
  fargateSelectors: [{ namespace: "sandboxes", labels: { "sandbox.hub/placement": "fargate" } }],
};
const pod = (overrides: Partial<Workload>): Workload => ({
  name: "p",
  namespace: "default",
  labels: {},
  requests: { cpu: 100, memoryMiB: 128 },
  ...overrides,
});

describe("landingPlaces", () => {
  it("keeps a pod without toleration off tainted workers", () => {
    expect(landingPlaces(layout, pod({}))).toEqual(["manager"]);
  });

  it("puts a pod that tolerates the taint and selects the worker label on workers only", () => {
    const sandbox = pod({
      nodeSelector: { "sandbox.hub/pool": "workers" },
      tolerations: [{ key: WORKER_TAINT.key, operator: "Equal", value: "sandbox", effect: "NoSchedule" }],
    });
    expect(landingPlaces(layout, sandbox)).toEqual(["workers"]);
  });

  it("lets a toleration without a node selector land anywhere untainted too", () => {
    expect(landingPlaces(layout, pod({ tolerations: [{ operator: "Exists" }] }))).toEqual([
      "manager",
      "workers",
    ]);
  });

  it("sends a pod matching a Fargate selector to Fargate only", () => {
    const labelled = pod({ namespace: "sandboxes", labels: { "sandbox.hub/placement": "fargate" } });
    expect(landingPlaces(layout, labelled)).toEqual(["fargate"]);
    expect(landingPlaces(layout, pod({ namespace: "sandboxes" }))).toEqual(["manager"]);
  });

  it("finds no place for a pod bigger than any node", () => {
    expect(landingPlaces(layout, pod({ requests: { cpu: 64_000, memoryMiB: 128 } }))).toEqual([]);
  });
});

describe("tolerates", () => {
  it("matches key, value and effect, or Exists by key", () => {
    expect(tolerates([{ key: "sandbox.hub/dedicated", operator: "Exists" }], WORKER_TAINT)).toBe(true);
    expect(tolerates([{ key: "sandbox.hub/dedicated", value: "other" }], WORKER_TAINT)).toBe(false);
    expect(
      tolerates([{ key: "sandbox.hub/dedicated", value: "sandbox", effect: "NoExecute" }], WORKER_TAINT),
    ).toBe(false);
    expect(tolerates([{ key: "CriticalAddonsOnly", operator: "Exists" }], WORKER_TAINT)).toBe(false);
  });
});

describe("quantities", () => {
  it("parses CPU and memory as Kubernetes writes them", () => {
    expect([cpuToMilli("100m"), cpuToMilli("0.5"), cpuToMilli(2), cpuToMilli(undefined)]).toEqual([
      100, 500, 2000, 0,
    ]);
    expect([memoryToMiB("128Mi"), memoryToMiB("1Gi"), memoryToMiB("512Ki")]).toEqual([128, 1024, 0.5]);
  });

  it("refuses what it cannot read", () => {
    expect(() => cpuToMilli("lots")).toThrow(/not a CPU quantity: "lots"/);
    expect(() => memoryToMiB("1GB")).toThrow(/not a memory quantity: "1GB"/);
  });

  it("sums requests over a pod's containers", () => {
    const workload = workloadFromPodSpec(
      "w",
      "ns",
      {},
      {
        containers: [
          { resources: { requests: { cpu: "100m", memory: "64Mi" } } },
          { resources: { requests: { cpu: "1" } } },
          {},
        ],
      },
    );
    expect(workload.requests).toEqual({ cpu: 1100, memoryMiB: 64 });
  });
});
