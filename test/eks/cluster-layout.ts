/**
 * The placement check's inputs rebuilt from what a stack actually records: node groups (labels,
 * taints, allocatable from instance type and the maxPods their launch template sets), Fargate profile
 * selectors, and the workloads (Hub, placeholders, image puller, autoscaler, CoreDNS, sandboxes).
 */
import { allocatable } from "../../components/eks/instance-types";
import type { Taint, TaintEffect } from "../../components/kubernetes/placement";
import { parseHubEnv } from "../../hub-app/src/config";
import { buildSandboxPod } from "../../hub-app/src/orchestrator/kubernetes/pod-spec";
import { eksHubEnvironment } from "../harness/deployed-hub-env";
import type { Recorder } from "../harness/mocks";
import {
  workloadFromPodSpec,
  type ClusterLayout,
  type NodeGroupView,
  type Workload,
} from "../kubernetes/placement-check";

const EFFECTS: Record<string, TaintEffect> = {
  NO_SCHEDULE: "NoSchedule",
  PREFER_NO_SCHEDULE: "PreferNoSchedule",
  NO_EXECUTE: "NoExecute",
};

function maxPodsOf(recorder: Recorder, launchTemplateId: string): number {
  const template = recorder
    .ofType("aws:ec2/launchTemplate:LaunchTemplate")
    .find((t) => `mocked::${t.type}::${t.name}` === launchTemplateId);
  if (!template) throw new Error(`no launch template with id ${launchTemplateId}`);
  const userData = Buffer.from(template.inputs.userData, "base64").toString("utf8");
  return Number(/maxPods: (\d+)/.exec(userData)?.[1]);
}

export function layoutFromRecorder(recorder: Recorder): ClusterLayout {
  const nodeGroups: NodeGroupView[] = recorder.ofType("eks:index:ManagedNodeGroup").map((g) => ({
    name: g.name,
    labels: g.inputs.labels ?? {},
    taints: (g.inputs.taints ?? []).map((t: { key: string; value: string; effect: string }): Taint => ({
      ...t,
      effect: EFFECTS[t.effect]!,
    })),
    allocatable: allocatable(g.inputs.instanceTypes[0], maxPodsOf(recorder, g.inputs.launchTemplate.id)),
  }));
  const fargateSelectors = recorder
    .ofType("aws:eks/fargateProfile:FargateProfile")
    .flatMap((p) => p.inputs.selectors);
  return { nodeGroups, fargateSelectors };
}

/** Workloads whose pod template the stack records (Deployments and DaemonSets). */
export function recordedWorkload(recorder: Recorder, type: string, name: string): Workload {
  const object = recorder.one(type, name).inputs;
  const template = object.spec.template;
  return workloadFromPodSpec(name, object.metadata.namespace, template.metadata.labels, template.spec);
}

/** cluster-autoscaler as the chart renders it from the recorded values. */
export function autoscalerWorkload(recorder: Recorder): Workload {
  const values = recorder.one("kubernetes:helm.sh/v3:Release").inputs.values;
  return workloadFromPodSpec(
    "cluster-autoscaler",
    "kube-system",
    {},
    {
      nodeSelector: values.nodeSelector,
      tolerations: values.tolerations,
      containers: [{ resources: values.resources }],
    },
  );
}

/** CoreDNS as the EKS add-on deploys it: no node selector, critical-add-on and control-plane tolerations. */
export const COREDNS: Workload = {
  name: "coredns",
  namespace: "kube-system",
  labels: { "k8s-app": "kube-dns" },
  tolerations: [
    { key: "CriticalAddonsOnly", operator: "Exists" },
    { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" },
  ],
  requests: { cpu: 100, memoryMiB: 70 },
};

/**
 * The sandbox pod the Hub itself would build (hub-app's buildSandboxPod) from the environment the
 * stack gives it, at the smallest size the Hub allows.
 */
export function sandboxFromHubEnv(env: Record<string, string>, placement: "ec2" | "fargate"): Workload {
  const config = parseHubEnv(env);
  if (config.orchestrator.kind !== "kubernetes")
    throw new Error(`the Hub runs ${config.orchestrator.kind}, not kubernetes`);
  const createdAt = new Date("2030-01-01T00:00:00Z");
  const spec = {
    id: "cnt-layout1",
    image: config.defaultImage,
    cpu: config.limits.cpuMin,
    memoryMiB: config.limits.memoryMinMiB,
    placement,
    env: {},
    ports: [],
    createdAt,
    expiresAt: createdAt,
  };
  const pod = buildSandboxPod(spec, config.orchestrator.settings, config.instance);
  if (pod.spec === undefined) throw new Error("the Hub built a sandbox pod without a spec");
  return workloadFromPodSpec(
    `sandbox-${placement}`,
    config.orchestrator.settings.namespace,
    pod.metadata?.labels ?? {},
    pod.spec,
  );
}

/** The Hub's environment as the recorded Deployment sets it. */
export const hubEnvFromRecorder = eksHubEnvironment;
