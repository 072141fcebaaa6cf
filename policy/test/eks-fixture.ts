/**
 * The Kubernetes side of an EKS stack, built from the components' own pure functions (what `pulumi up`
 * would send), as CrossGuard sees it. Tests start from this compliant stack and change one thing.
 */
import { clusterAutoscalerValues } from "../../components/eks/cluster-autoscaler-values";
import { nodeLaunchTemplateSettings } from "../../components/eks/launch-template";
import { vpcCniConfigurationValues } from "../../components/eks/vpc-cni";
import { envList, hubKubernetesEnvironment } from "../../components/kubernetes/hub-environment";
import { hubPodSpec } from "../../components/kubernetes/hub-pod-spec";
import { hubSandboxRules } from "../../components/kubernetes/hub-rbac";
import { imagePullerPodSpec } from "../../components/kubernetes/image-puller-spec";
import {
  placeholderPodSpec,
  placeholderPriorityClass,
} from "../../components/kubernetes/overprovisioning-spec";
import { eksTaintEffect, labelsOf, WORKER_LABEL, WORKER_TAINT } from "../../components/kubernetes/placement";
import { podSecurityLabels, sandboxNetworkPolicies } from "../../components/kubernetes/sandbox-policies";
import { T } from "../lib/types";
import { TestStack } from "./policy-args";

export const SANDBOX_SIZE = { cpu: 0.1, memoryMiB: 128 };

export interface EksFixtureOptions {
  readonly placeholderReplicas?: number;
  readonly workerInstanceType?: string;
  readonly workerMax?: number;
  readonly hubEnv?: Record<string, string>;
}

export function eksStack(options: EksFixtureOptions = {}) {
  const stack = new TestStack();
  const cni = stack.add(T.eksAddon, "eks-vpc-cni", {
    addonName: "vpc-cni",
    configurationValues: vpcCniConfigurationValues({ prefixDelegation: true, networkPolicy: true }),
  });
  const template = stack.add(
    T.launchTemplate,
    "eks-workers-launch-template",
    nodeLaunchTemplateSettings(110, 100),
  );
  const workers = stack.add(
    T.managedNodeGroup,
    "eks-workers-nodes",
    {
      instanceTypes: [options.workerInstanceType ?? "m6i.2xlarge"],
      scalingConfig: { minSize: 0, desiredSize: 1, maxSize: options.workerMax ?? 13 },
      labels: labelsOf(WORKER_LABEL),
      taints: [
        { key: WORKER_TAINT.key, value: WORKER_TAINT.value, effect: eksTaintEffect(WORKER_TAINT.effect) },
      ],
      launchTemplate: { id: "lt-1", version: "1" },
    },
    { from: { launchTemplate: [template] }, dependsOn: [cni] },
  );
  const autoscaler = stack.add(T.helmRelease, "eks-autoscaler-release", {
    chart: "cluster-autoscaler",
    version: "9.52.1",
    values: clusterAutoscalerValues({
      clusterName: "c",
      region: "eu-west-1",
      serviceAccountName: "cluster-autoscaler",
    }),
  });
  const sandboxNamespace = stack.add(T.namespace, "eks-sandboxes-namespace", {
    metadata: { name: "sandboxes", labels: podSecurityLabels("1.34") },
  });
  const overprovisioning = stack.add(T.namespace, "eks-overprovisioning-namespace", {
    metadata: { name: "overprovisioning", labels: podSecurityLabels("1.34") },
  });
  const pullerNamespace = stack.add(T.namespace, "eks-image-puller-namespace", {
    metadata: { name: "image-puller", labels: { "pod-security.kubernetes.io/enforce": "restricted" } },
  });
  const hubRole = stack.add(T.role_k8s, "eks-hub-sandbox-role", {
    metadata: { name: "hub-sandboxes", namespace: "sandboxes" },
    rules: hubSandboxRules(),
  });
  const networkPolicies = Object.entries(
    sandboxNetworkPolicies({ vpcCidr: "10.0.0.0/16", hubNamespace: "hub", kubeDnsIp: "172.20.0.10" }),
  ).map(([name, spec]) =>
    stack.add(T.networkPolicy, `eks-sandboxes-${name}`, { metadata: { name, namespace: "sandboxes" }, spec }),
  );
  const priorityClass = stack.add(
    T.priorityClass,
    "eks-overprovisioning-priority",
    placeholderPriorityClass("sandbox-placeholder"),
  );
  const placeholders = stack.add(T.deployment, "eks-overprovisioning-placeholders", {
    metadata: { name: "sandbox-placeholders", namespace: "overprovisioning" },
    spec: {
      replicas: options.placeholderReplicas ?? 90,
      template: { spec: placeholderPodSpec("sandbox-placeholder", SANDBOX_SIZE) },
    },
  });
  const puller = stack.add(T.daemonSet, "eks-image-puller-daemonset", {
    metadata: { name: "image-puller", namespace: "image-puller" },
    spec: {
      template: {
        spec: imagePullerPodSpec(["public.ecr.aws/docker/library/python:3.12-slim"], {
          nodeSelector: labelsOf(WORKER_LABEL),
          tolerations: [WORKER_TAINT],
        }),
      },
    },
  });
  const hubEnv = {
    ...hubKubernetesEnvironment({
      instance: "eks",
      tokenSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:hub-token",
      region: "eu-west-1",
      sandboxNamespace: "sandboxes",
      placements: ["ec2"],
      defaultSandboxImage: "public.ecr.aws/docker/library/python:3.12-slim",
      defaultSandboxSize: SANDBOX_SIZE,
    }),
    ...options.hubEnv,
  };
  const hub = stack.add(T.deployment, "eks-hub-deployment", {
    metadata: { name: "hub", namespace: "hub" },
    spec: {
      replicas: 2,
      template: { spec: hubPodSpec({ image: "hub:1", serviceAccountName: "hub", env: envList(hubEnv) }) },
    },
  });
  return {
    stack,
    cni,
    template,
    workers,
    autoscaler,
    sandboxNamespace,
    overprovisioning,
    pullerNamespace,
    hubRole,
    networkPolicies,
    priorityClass,
    placeholders,
    puller,
    hub,
  };
}
