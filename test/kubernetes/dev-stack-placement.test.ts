import { beforeAll, describe, expect, it } from "vitest";
import { FARGATE, landingPlaces, type ClusterLayout } from "./placement-check";
import type { Recorder } from "../harness/mocks";
import { runStack } from "../harness/stack";
import {
  autoscalerWorkload,
  COREDNS,
  hubEnvFromRecorder,
  layoutFromRecorder,
  recordedWorkload,
  sandboxFromHubEnv,
} from "../eks/cluster-layout";
import { validateKubernetesObjects } from "./k8s-schema";

let recorder: Recorder;
let outputs: Record<string, any>;
let layout: ClusterLayout;
let hubEnv: Record<string, string>;

beforeAll(async () => {
  ({ recorder, outputs } = await runStack("dev"));
  layout = layoutFromRecorder(recorder);
  hubEnv = hubEnvFromRecorder(recorder);
});

describe("dev: one EKS cluster serving both placements", () => {
  it("has one cluster, one Hub, the manager and worker groups and a Fargate profile", () => {
    expect(recorder.ofType("eks:index:Cluster")).toHaveLength(1);
    expect(recorder.ofType("hub:eks:HubOnEks")).toHaveLength(1);
    expect(layout.nodeGroups.map((g) => g.name).sort()).toEqual(["eks-manager-nodes", "eks-workers-nodes"]);
    expect(outputs.eks.placements).toEqual(["ec2", "fargate"]);
  });

  it("selects only pods labelled for Fargate, so EC2 sandboxes stay on workers", () => {
    expect(layout.fargateSelectors).toEqual([
      { namespace: "sandboxes", labels: { "sandbox.hub/placement": "fargate" } },
    ]);
  });

  it("tells the Hub both placements, EC2 first (the default)", () => {
    expect(hubEnv.HUB_K8S_PLACEMENTS).toBe("ec2,fargate");
    expect(hubEnv.HUB_K8S_FARGATE_LABEL).toBe("sandbox.hub/placement=fargate");
  });

  it("sizes the sandbox quota for both: 13 workers x 77, plus 1000 on Fargate and its 10 warm members", () => {
    expect(recorder.one("kubernetes:core/v1:ResourceQuota").inputs.spec.hard.pods).toBe("2011");
  });
});

describe("dev: where each workload can land", () => {
  it("EC2 sandboxes land only on workers, Fargate-labelled sandboxes only on Fargate", () => {
    expect(landingPlaces(layout, sandboxFromHubEnv(hubEnv, "ec2"))).toEqual(["eks-workers-nodes"]);
    expect(landingPlaces(layout, sandboxFromHubEnv(hubEnv, "fargate"))).toEqual([FARGATE]);
  });

  it("the Hub, cluster-autoscaler and CoreDNS never land on workers or Fargate", () => {
    for (const workload of [
      recordedWorkload(recorder, "kubernetes:apps/v1:Deployment", "eks-hub-deployment"),
      autoscalerWorkload(recorder),
      COREDNS,
    ]) {
      expect(landingPlaces(layout, workload), workload.name).toEqual(["eks-manager-nodes"]);
    }
  });

  it("placeholders land only on workers", () => {
    const placeholders = recordedWorkload(
      recorder,
      "kubernetes:apps/v1:Deployment",
      "eks-overprovisioning-placeholders",
    );
    expect(landingPlaces(layout, placeholders)).toEqual(["eks-workers-nodes"]);
  });

  it("every Kubernetes object validates against the Kubernetes schema", () => {
    expect(validateKubernetesObjects(recorder).length).toBeGreaterThanOrEqual(18);
  });
});
