import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { parseHubEnv } from "../../hub-app/src/config";
import { FARGATE, landingPlaces } from "../kubernetes/placement-check";
import type { Recorder } from "../harness/mocks";
import { REPO_ROOT, runStack } from "../harness/stack";
import { validateKubernetesObjects } from "../kubernetes/k8s-schema";
import {
  autoscalerWorkload,
  COREDNS,
  hubEnvFromRecorder,
  layoutFromRecorder,
  recordedWorkload,
  sandboxFromHubEnv,
} from "./cluster-layout";

const CLUSTER = "sandbox-platform-eks-ec2";
let recorder: Recorder;
let outputs: Record<string, any>;

beforeAll(async () => {
  ({ recorder, outputs } = await runStack("eks-ec2"));
});

const policyOf = (type: string, name: string, field: string) =>
  JSON.parse(recorder.one(type, name).inputs[field]);
const trustOf = (roleName: string) => policyOf("aws:iam/role:Role", roleName, "assumeRolePolicy");
const ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/MOCKED0123456789";

describe("eks-ec2: the cluster", () => {
  it("pins the version, uses API access entries, OIDC, every log type and KMS secrets encryption", () => {
    const cluster = recorder.one("eks:index:Cluster").inputs;
    expect(cluster).toMatchObject({
      name: CLUSTER,
      version: "1.34",
      authenticationMode: "API",
      createOidcProvider: true,
      enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
      encryptionConfigKeyArn: expect.stringContaining("eks-secrets-key"),
      endpointPrivateAccess: true,
      endpointPublicAccess: true,
      publicAccessCidrs: ["0.0.0.0/0"],
      skipDefaultNodeGroup: true,
      vpcId: "mocked-vpc-sandbox-vpc",
      privateSubnetIds: ["mocked-subnet-sandbox-vpc-private-1", "mocked-subnet-sandbox-vpc-private-2"],
      accessEntries: {},
    });
    expect(recorder.one("aws:kms/key:Key").inputs.enableKeyRotation).toBe(true);
  });

  it("runs the VPC CNI add-on with prefix delegation and strict network policy, on its own IRSA role", () => {
    const addon = recorder.one("aws:eks/addon:Addon", "eks-vpc-cni").inputs;
    expect(addon.addonName).toBe("vpc-cni");
    expect(addon.clusterName).toBe(CLUSTER);
    expect(JSON.parse(addon.configurationValues)).toEqual({
      env: {
        ENABLE_PREFIX_DELEGATION: "true",
        WARM_PREFIX_TARGET: "1",
        NETWORK_POLICY_ENFORCING_MODE: "strict",
      },
      enableNetworkPolicy: "true",
    });
    expect(addon.serviceAccountRoleArn).toContain("eks-vpc-cni");
    expect(trustOf("eks-vpc-cni").Statement[0].Condition.StringEquals).toEqual({
      [`${ISSUER}:sub`]: "system:serviceaccount:kube-system:aws-node",
      [`${ISSUER}:aud`]: "sts.amazonaws.com",
    });
  });

  it("gives nodes only the join and image-pull policies", () => {
    const attached = recorder
      .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
      .filter((a) => a.name.startsWith("eks-node-"))
      .map((a) => a.inputs.policyArn);
    expect(attached.sort()).toEqual([
      "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
      "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    ]);
  });

  it("exports the hub URL, cluster name, token secret ARN and a secret kubeconfig", async () => {
    expect(outputs.eks).toMatchObject({
      clusterName: CLUSTER,
      tokenSecretArn: expect.stringContaining("hub-token-secret"),
      hubUrl: expect.stringMatching(/^http:\/\//),
      placements: ["ec2"],
    });
    expect(typeof outputs.eks.kubeconfig).toBe("string");
    const program = await import(join(REPO_ROOT, "index.ts"));
    expect(await pulumi.isSecret((program.default ?? program).eks.kubeconfig)).toBe(true);
  });
});

describe("eks-ec2: node groups", () => {
  const group = (name: string) => recorder.one("eks:index:ManagedNodeGroup", name).inputs;

  it("has an untainted manager group of fixed size", () => {
    expect(group("eks-manager-nodes")).toMatchObject({
      instanceTypes: ["m6i.large"],
      scalingConfig: { minSize: 2, desiredSize: 2, maxSize: 2 },
      labels: { "sandbox.hub/pool": "manager" },
      taints: [],
    });
  });

  it("has m6i.2xlarge workers 1/2/13, labelled and tainted NoSchedule, desired size left to the autoscaler", () => {
    expect(group("eks-workers-nodes")).toMatchObject({
      instanceTypes: ["m6i.2xlarge"],
      amiType: "AL2023_x86_64_STANDARD",
      scalingConfig: { minSize: 1, desiredSize: 2, maxSize: 13 },
      labels: { "sandbox.hub/pool": "workers" },
      taints: [{ key: "sandbox.hub/dedicated", value: "sandbox", effect: "NO_SCHEDULE" }],
      ignoreScalingChanges: true,
      launchTemplate: { id: "mocked::aws:ec2/launchTemplate:LaunchTemplate::eks-workers-launch-template" },
    });
  });

  it("launches workers with IMDSv2 required, hop limit 1, and kubelet maxPods 110", () => {
    const template = recorder.one(
      "aws:ec2/launchTemplate:LaunchTemplate",
      "eks-workers-launch-template",
    ).inputs;
    expect(template.metadataOptions).toEqual({
      httpEndpoint: "enabled",
      httpTokens: "required",
      httpPutResponseHopLimit: 1,
    });
    expect(Buffer.from(template.userData, "base64").toString()).toContain("maxPods: 110");
  });

  it("tags the workers' ASG for scale from zero, without propagating to instances", () => {
    const tags = recorder.ofType("aws:autoscaling/tag:Tag").map((t) => t.inputs);
    expect(new Set(tags.map((t) => t.autoscalingGroupName))).toEqual(
      new Set(["eks-eks-workers-nodes-mocked-asg"]),
    );
    expect(tags.map((t) => t.tag)).toEqual([
      {
        key: "k8s.io/cluster-autoscaler/node-template/label/sandbox.hub/pool",
        value: "workers",
        propagateAtLaunch: false,
      },
      {
        key: "k8s.io/cluster-autoscaler/node-template/taint/sandbox.hub/dedicated",
        value: "sandbox:NoSchedule",
        propagateAtLaunch: false,
      },
    ]);
  });

  it("makes no Fargate profile", () => {
    expect(recorder.ofType("aws:eks/fargateProfile:FargateProfile")).toEqual([]);
  });
});

describe("eks-ec2: cluster-autoscaler", () => {
  it("installs the pinned official chart into kube-system with this cluster's discovery", () => {
    const release = recorder.one("kubernetes:helm.sh/v3:Release").inputs;
    expect(release).toMatchObject({
      chart: "cluster-autoscaler",
      version: "9.52.1",
      repositoryOpts: { repo: "https://kubernetes.github.io/autoscaler" },
      namespace: "kube-system",
    });
    expect(release.values).toMatchObject({
      autoDiscovery: {
        clusterName: CLUSTER,
        tags: expect.arrayContaining([expect.stringMatching(/label\/sandbox\.hub\/pool$/)]),
      },
      awsRegion: "eu-west-1",
      rbac: { serviceAccount: { create: false, name: "cluster-autoscaler" } },
      extraArgs: { "expendable-pods-priority-cutoff": -10, expander: "least-waste" },
    });
  });

  it("gets its IAM role through IRSA, scaling only this cluster's worker groups", () => {
    expect(trustOf("eks-autoscaler-irsa-role").Statement[0].Condition.StringEquals[`${ISSUER}:sub`]).toBe(
      "system:serviceaccount:kube-system:cluster-autoscaler",
    );
    const policy = policyOf(
      "aws:iam/rolePolicy:RolePolicy",
      "eks-autoscaler-irsa-cluster-autoscaler",
      "policy",
    );
    const required = policy.Statement[1].Condition.StringEquals as Record<string, string>;
    expect(required).toEqual({
      [`aws:ResourceTag/k8s.io/cluster-autoscaler/${CLUSTER}`]: "owned",
      "aws:ResourceTag/k8s.io/cluster-autoscaler/node-template/label/sandbox.hub/pool": "workers",
    });
    // The worker ASG carries the label tag the condition asks for; no other ASG is tagged with it.
    const labelTags = recorder
      .ofType("aws:autoscaling/tag:Tag")
      .filter((t) => t.inputs.tag.key === "k8s.io/cluster-autoscaler/node-template/label/sandbox.hub/pool");
    expect(labelTags.map((t) => t.inputs.tag.value)).toEqual(["workers"]);
    const account = recorder.one(
      "kubernetes:core/v1:ServiceAccount",
      "eks-autoscaler-irsa-service-account",
    ).inputs;
    expect(account.metadata).toMatchObject({ name: "cluster-autoscaler", namespace: "kube-system" });
    expect(account.metadata.annotations["eks.amazonaws.com/role-arn"]).toContain("eks-autoscaler-irsa-role");
  });
});

describe("eks-ec2: sandboxes' namespace and placeholders", () => {
  it("enforces Pod Security restricted and caps pods at the workers' capacity (13 x 77)", () => {
    const namespace = recorder.one("kubernetes:core/v1:Namespace", "eks-sandboxes-namespace").inputs;
    expect(namespace.metadata.name).toBe("sandboxes");
    expect(namespace.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    expect(recorder.one("kubernetes:core/v1:ResourceQuota").inputs.spec.hard.pods).toBe("1001");
    expect(recorder.one("kubernetes:core/v1:LimitRange").inputs.spec.limits[0].default).toEqual({
      cpu: "100m",
      memory: "128Mi",
    });
  });

  it("gives sandboxes no Kubernetes API token through the namespace's default service account", () => {
    const patch = recorder.one("kubernetes:core/v1:ServiceAccountPatch").inputs;
    expect(patch.metadata).toMatchObject({ name: "default", namespace: "sandboxes" });
    expect(patch.automountServiceAccountToken).toBe(false);
  });

  it("locks sandbox networking: default deny, Hub-only ingress, internet egress without private ranges, DNS", () => {
    const policies = recorder
      .ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
      .filter((p) => p.name.startsWith("eks-sandboxes-"));
    expect(policies.map((p) => p.inputs.metadata.name).sort()).toEqual([
      "default-deny",
      "egress-dns",
      "egress-internet",
      "ingress-from-hub",
    ]);
    expect(policies.every((p) => p.inputs.metadata.namespace === "sandboxes")).toBe(true);
    const internet = policies.find((p) => p.name === "eks-sandboxes-egress-internet")!.inputs.spec.egress[0]
      .to[0];
    expect(internet.ipBlock.except).toEqual(expect.arrayContaining(["169.254.0.0/16", "10.0.0.0/16"]));
  });

  it("keeps 90 placeholders (1/s x 90 s) at priority -10", () => {
    const placeholders = recorder.one(
      "kubernetes:apps/v1:Deployment",
      "eks-overprovisioning-placeholders",
    ).inputs;
    expect(placeholders.spec.replicas).toBe(90);
    expect(placeholders.spec.template.spec.priorityClassName).toBe("sandbox-placeholder");
    expect(recorder.one("kubernetes:scheduling.k8s.io/v1:PriorityClass").inputs.value).toBe(-10);
  });
});

describe("eks-ec2: the Hub", () => {
  it("may read its token secret and nothing else, through an IRSA role for hub/hub", () => {
    expect(trustOf("eks-hub-irsa-role").Statement[0].Condition.StringEquals[`${ISSUER}:sub`]).toBe(
      "system:serviceaccount:hub:hub",
    );
    const policy = policyOf("aws:iam/rolePolicy:RolePolicy", "eks-hub-irsa-read-hub-token", "policy");
    expect(policy.Statement).toEqual([
      {
        Sid: "ReadHubToken",
        Effect: "Allow",
        Action: ["secretsmanager:GetSecretValue"],
        Resource: outputs.eks.tokenSecretArn,
      },
    ]);
  });

  it("is bound to a Role in the sandbox namespace only", () => {
    const role = recorder.one("kubernetes:rbac.authorization.k8s.io/v1:Role").inputs;
    expect(role.metadata.namespace).toBe("sandboxes");
    const binding = recorder.one("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding").inputs;
    expect(binding.metadata.namespace).toBe("sandboxes");
    expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: "hub", namespace: "hub" }]);
    expect(recorder.resources.some((r) => r.type.includes("ClusterRole"))).toBe(false);
  });

  it("runs 2 replicas of the built image with the kubernetes orchestrator's environment", () => {
    const deployment = recorder.one("kubernetes:apps/v1:Deployment", "eks-hub-deployment").inputs;
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.template.spec.containers[0].image).toContain("mocked-hub-image");
    expect(deployment.spec.template.spec.serviceAccountName).toBe("hub");
    expect(hubEnvFromRecorder(recorder)).toMatchObject({
      HUB_ORCHESTRATOR: "kubernetes",
      HUB_K8S_PLACEMENTS: "ec2",
      HUB_K8S_NAMESPACE: "sandboxes",
      HUB_API_TOKEN_SECRET_ARN: outputs.eks.tokenSecretArn,
      AWS_REGION: "eu-west-1",
    });
  });

  it("deploys an environment the Hub's own config schema accepts", () => {
    const config = parseHubEnv(hubEnvFromRecorder(recorder));
    expect(config).toMatchObject({ host: "0.0.0.0", port: 8080, instance: "eks" });
    expect(config.orchestrator).toMatchObject({
      kind: "kubernetes",
      settings: { namespace: "sandboxes", placements: ["ec2"] },
    });
    // Defaults: no warm pool on the workers, path-based port URLs on the origin a request came to.
    expect(config.warmPools.pools).toEqual([]);
    expect(config.portUrls).not.toHaveProperty("publicUrl");
    expect(config.portUrls).not.toHaveProperty("previewDomain");
  });

  it("keeps the URNs it had as hub:kubernetes:HubOnKubernetes, so moving the component replaces nothing", () => {
    expect(recorder.one("hub:eks:HubOnEks").aliases).toEqual([{ type: "hub:kubernetes:HubOnKubernetes" }]);
  });

  it("is protected by a PDB and served by an NLB", () => {
    expect(recorder.one("kubernetes:policy/v1:PodDisruptionBudget").inputs.spec.maxUnavailable).toBe(1);
    const service = recorder.one("kubernetes:core/v1:Service").inputs;
    expect(service.spec.type).toBe("LoadBalancer");
    expect(service.metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-type"]).toBe("nlb");
  });
});

describe("eks-ec2: placement", () => {
  const placesOf = (workload: Parameters<typeof landingPlaces>[1]) =>
    landingPlaces(layoutFromRecorder(recorder), workload);

  it("puts sandboxes only on workers", () => {
    expect(placesOf(sandboxFromHubEnv(hubEnvFromRecorder(recorder), "ec2"))).toEqual(["eks-workers-nodes"]);
  });

  it("puts placeholders and the image puller only on workers", () => {
    expect(
      placesOf(
        recordedWorkload(recorder, "kubernetes:apps/v1:Deployment", "eks-overprovisioning-placeholders"),
      ),
    ).toEqual(["eks-workers-nodes"]);
    expect(
      placesOf(recordedWorkload(recorder, "kubernetes:apps/v1:DaemonSet", "eks-image-puller-daemonset")),
    ).toEqual(["eks-workers-nodes"]);
  });

  it("keeps the Hub, the autoscaler and CoreDNS off the workers", () => {
    expect(
      placesOf(recordedWorkload(recorder, "kubernetes:apps/v1:Deployment", "eks-hub-deployment")),
    ).toEqual(["eks-manager-nodes"]);
    expect(placesOf(autoscalerWorkload(recorder))).toEqual(["eks-manager-nodes"]);
    expect(placesOf(COREDNS)).toEqual(["eks-manager-nodes"]);
    expect(placesOf(COREDNS)).not.toContain(FARGATE);
  });
});

describe("eks-ec2: Kubernetes objects", () => {
  it("every object validates against the Kubernetes schema", () => {
    const validated = validateKubernetesObjects(recorder);
    expect(validated.length).toBeGreaterThanOrEqual(18);
  });

  it("every resource of the EKS part sits under a hub:* component", () => {
    const orphans = recorder.resources.filter(
      (r) =>
        r.custom &&
        r.type !== "pulumi:providers:kubernetes" &&
        !recorder.parentOf(r)?.type.startsWith("hub:"),
    );
    expect(orphans.map((r) => `${r.type} ${r.name}`)).toEqual([]);
  });
});
