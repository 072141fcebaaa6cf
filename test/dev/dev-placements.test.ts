/**
 * The dev stack's one EKS cluster serves both EKS placements: a sandbox the Hub places on "ec2" can
 * land only on the worker group, one it places on "fargate" goes to the Fargate profile. Checked
 * with the placement model (test/kubernetes/placement-check.ts) against what the stack
 * deploys: node groups, the Fargate profile, and the Hub's HUB_K8S_* settings.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { allocatable, maxPodsPerNode } from "../../components/eks/instance-types";
import { FARGATE, landingPlaces, type ClusterLayout, type Workload } from "../kubernetes/placement-check";
import type { Taint, TaintEffect } from "../../components/kubernetes/placement";
import type { Recorder } from "../harness/mocks";
import { runStack } from "../harness/stack";

let recorder: Recorder;
let outputs: Record<string, any>;

beforeAll(async () => {
  ({ recorder, outputs } = await runStack("dev"));
});

const EFFECTS: Record<string, TaintEffect> = {
  NO_SCHEDULE: "NoSchedule",
  PREFER_NO_SCHEDULE: "PreferNoSchedule",
  NO_EXECUTE: "NoExecute",
};

/** The cluster as the scheduler would see it, from the recorded node groups and Fargate profile. */
function deployedLayout(): ClusterLayout {
  return {
    nodeGroups: recorder.ofType("eks:index:ManagedNodeGroup").map((group) => {
      const instanceType = group.inputs.instanceTypes[0] as string;
      return {
        name: group.name,
        labels: group.inputs.labels ?? {},
        taints: (group.inputs.taints ?? []).map((t: any): Taint => ({
          key: t.key,
          value: t.value,
          effect: EFFECTS[t.effect]!,
        })),
        // Prefix delegation is on in every EKS stack (stacks/eks/placements/ec2.ts).
        allocatable: allocatable(instanceType, maxPodsPerNode(instanceType, true)),
      };
    }),
    fargateSelectors: recorder
      .ofType("aws:eks/fargateProfile:FargateProfile")
      .flatMap((p) => p.inputs.selectors),
  };
}

function hubEnv(): Record<string, string> {
  const hub = recorder.one("kubernetes:apps/v1:Deployment", "eks-hub-deployment");
  const container = hub.inputs.spec.template.spec.containers.find((c: any) => c.name === "hub");
  return Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));
}

const keyValue = (text: string): [string, string] => {
  const [key, value] = text.split("=");
  return [key!, value!];
};

/** A default-size sandbox pod the way the Hub shapes it for a placement, from its HUB_K8S_* settings. */
function sandboxFor(placement: "ec2" | "fargate"): Workload {
  const env = hubEnv();
  const labels = { "sandbox.hub/instance": env.HUB_INSTANCE!, "sandbox.hub/id": "s-1" };
  const requests = { cpu: 100, memoryMiB: 128 };
  if (placement === "fargate") {
    const [key, value] = keyValue(env.HUB_K8S_FARGATE_LABEL!);
    return {
      name: "fargate-sandbox",
      namespace: env.HUB_K8S_NAMESPACE!,
      labels: { ...labels, [key]: value },
      requests,
    };
  }
  const [labelKey, labelValue] = keyValue(env.HUB_K8S_WORKER_LABEL!);
  const [taintKeyValue, effect] = env.HUB_K8S_WORKER_TAINT!.split(":");
  const [taintKey, taintValue] = keyValue(taintKeyValue!);
  return {
    name: "ec2-sandbox",
    namespace: env.HUB_K8S_NAMESPACE!,
    labels,
    nodeSelector: { [labelKey]: labelValue },
    tolerations: [{ key: taintKey, operator: "Equal", value: taintValue, effect }],
    requests,
  };
}

describe("dev stack: both EKS placements reachable from one Hub", () => {
  it("offers both placements, EC2 first (the default)", () => {
    expect(hubEnv().HUB_K8S_PLACEMENTS).toBe("ec2,fargate");
    expect(outputs.eks.placements).toEqual(["ec2", "fargate"]);
  });

  it("lands an ec2 sandbox on the worker group only, never on the managers or Fargate", () => {
    const workers = recorder
      .ofType("eks:index:ManagedNodeGroup")
      .filter((g) => g.inputs.labels?.["sandbox.hub/pool"] === "workers");
    expect(workers).toHaveLength(1);
    expect(landingPlaces(deployedLayout(), sandboxFor("ec2"))).toEqual([workers[0]!.name]);
  });

  it("sends a fargate-labelled sandbox to the Fargate profile", () => {
    expect(landingPlaces(deployedLayout(), sandboxFor("fargate"))).toEqual([FARGATE]);
  });

  it("keeps an unlabelled pod without the toleration off the workers", () => {
    const stray: Workload = {
      name: "stray",
      namespace: "sandboxes",
      labels: {},
      requests: { cpu: 100, memoryMiB: 128 },
    };
    const places = landingPlaces(deployedLayout(), stray);
    expect(places).not.toContain(FARGATE);
    expect(places.every((p) => !p.includes("workers"))).toBe(true);
  });
});
