import { beforeAll, describe, expect, it } from "vitest";
import { FARGATE, landingPlaces } from "../kubernetes/placement-check";
import type { Recorder } from "../harness/mocks";
import { parseHubEnv } from "../../hub-app/src/config";
import { runStack } from "../harness/stack";
import { validateKubernetesObjects } from "../kubernetes/k8s-schema";
import {
  COREDNS,
  hubEnvFromRecorder,
  layoutFromRecorder,
  recordedWorkload,
  sandboxFromHubEnv,
} from "./cluster-layout";

const CLUSTER = "sandbox-platform-eks-fargate";
const ADMIN = "arn:aws:iam::123456789012:role/platform-admin";
const CERTIFICATE = "arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-hub";
let recorder: Recorder;
let outputs: Record<string, any>;

beforeAll(async () => {
  ({ recorder, outputs } = await runStack("eks-fargate", {
    overrides: {
      "sandbox-platform:eks": {
        adminRoleArn: ADMIN,
        publicAccessCidrs: ["203.0.113.0/24"],
        certificateArn: CERTIFICATE,
      },
      "sandbox-platform:hub": {
        imageUri: "ghcr.io/example/hub:1.0.0",
        pullThroughCache: false,
        hostname: "hub.example.com",
        previewDomain: "sandboxes.example.com",
        route53ZoneId: "Z0MOCKEDEXAMPLE",
      },
    },
  }));
});

describe("eks-fargate: what it leaves out", () => {
  it("has no worker group, autoscaler, placeholders or image puller, only the manager group", () => {
    expect(recorder.ofType("eks:index:ManagedNodeGroup").map((g) => g.name)).toEqual(["eks-manager-nodes"]);
    for (const type of [
      "hub:eks:WorkerGroup",
      "hub:eks:ClusterAutoscaler",
      "hub:kubernetes:Overprovisioning",
      "hub:kubernetes:ImagePuller",
      "kubernetes:helm.sh/v3:Release",
      "aws:autoscaling/tag:Tag",
    ]) {
      expect(recorder.ofType(type), type).toEqual([]);
    }
  });

  it("builds no image when a prebuilt one is configured, and the Hub runs it", () => {
    expect(recorder.ofType("awsx:ecr:Image")).toEqual([]);
    expect(recorder.ofType("aws:ecr/repository:Repository")).toEqual([]);
    const hub = recorder.one("kubernetes:apps/v1:Deployment", "eks-hub-deployment").inputs;
    expect(hub.spec.template.spec.containers[0].image).toBe("ghcr.io/example/hub:1.0.0");
  });
});

describe("eks-fargate: hub.pullThroughCache off", () => {
  it("makes no cache rule, gives no role import rights and pulls the image as configured", () => {
    expect(recorder.ofType("aws:ecr/pullThroughCacheRule:PullThroughCacheRule")).toEqual([]);
    expect(recorder.ofType("aws:iam/rolePolicy:RolePolicy").map((p) => p.name)).not.toContain(
      "eks-fargate-pod-execution-image-cache",
    );
    expect(hubEnvFromRecorder(recorder).HUB_DEFAULT_IMAGE).toBe(
      "public.ecr.aws/docker/library/python:3.12-slim",
    );
  });
});

describe("eks-fargate: cluster access from config", () => {
  it("gives the admin role cluster-admin through an access entry and limits the public endpoint", () => {
    expect(recorder.one("eks:index:Cluster").inputs).toMatchObject({
      name: CLUSTER,
      publicAccessCidrs: ["203.0.113.0/24"],
      accessEntries: {
        admin: {
          principalArn: ADMIN,
          accessPolicies: {
            clusterAdmin: {
              policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
              accessScope: { type: "cluster" },
            },
          },
        },
      },
    });
  });
});

describe("eks-fargate: the Fargate profile", () => {
  it("selects the whole sandbox namespace on the private subnets", () => {
    const profile = recorder.one("aws:eks/fargateProfile:FargateProfile").inputs;
    expect(profile.selectors).toEqual([{ namespace: "sandboxes" }]);
    expect(profile.clusterName).toBe(CLUSTER);
    expect(profile.subnetIds).toEqual([
      "mocked-subnet-sandbox-vpc-private-1",
      "mocked-subnet-sandbox-vpc-private-2",
    ]);
    expect(profile.podExecutionRoleArn).toContain("eks-fargate-pod-execution");
  });

  it("has its own pod execution role, assumable by EKS Fargate for this cluster only", () => {
    const trust = JSON.parse(
      recorder.one("aws:iam/role:Role", "eks-fargate-pod-execution").inputs.assumeRolePolicy,
    );
    expect(trust.Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "eks-fargate-pods.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          ArnLike: { "aws:SourceArn": `arn:aws:eks:eu-west-1:123456789012:fargateprofile/${CLUSTER}/*` },
        },
      },
    ]);
    expect(
      recorder.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "eks-fargate-pod-execution-policy")
        .inputs.policyArn,
    ).toBe("arn:aws:iam::aws:policy/AmazonEKSFargatePodExecutionRolePolicy");
  });

  it("keeps its pod execution role's policy until EKS has stopped the profile's pods (destroy order)", () => {
    const profile = recorder.one("aws:eks/fargateProfile:FargateProfile");
    const policy = recorder.one(
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
      "eks-fargate-pod-execution-policy",
    );
    expect(recorder.waitsFor(profile, policy)).toBe(true);
  });

  it("sizes the sandbox quota for Fargate's 1000 students' pods and the 10 warm members besides", () => {
    expect(recorder.one("kubernetes:core/v1:ResourceQuota").inputs.spec.hard.pods).toBe("1010");
  });
});

describe("eks-fargate: the Hub and placement", () => {
  it("offers the fargate placement only", () => {
    expect(hubEnvFromRecorder(recorder).HUB_K8S_PLACEMENTS).toBe("fargate");
    expect(outputs.eks.placements).toEqual(["fargate"]);
  });

  it("sends every sandbox pod to Fargate, label or not", () => {
    const layout = layoutFromRecorder(recorder);
    expect(landingPlaces(layout, sandboxFromHubEnv(hubEnvFromRecorder(recorder), "fargate"))).toEqual([
      FARGATE,
    ]);
  });

  it("runs the Hub and CoreDNS on the manager group, not on Fargate", () => {
    const layout = layoutFromRecorder(recorder);
    expect(
      landingPlaces(
        layout,
        recordedWorkload(recorder, "kubernetes:apps/v1:Deployment", "eks-hub-deployment"),
      ),
    ).toEqual(["eks-manager-nodes"]);
    expect(landingPlaces(layout, COREDNS)).toEqual(["eks-manager-nodes"]);
  });

  it("every Kubernetes object validates against the Kubernetes schema", () => {
    expect(validateKubernetesObjects(recorder).length).toBeGreaterThanOrEqual(12);
  });
});

describe("eks-fargate: the Hub behind TLS (eks.certificateArn set)", () => {
  it("terminates TLS at the NLB on 443 with a TLS 1.2+ policy and opens no plain port", () => {
    const service = recorder.one("kubernetes:core/v1:Service", "eks-hub-service").inputs;
    expect(service.metadata.annotations).toMatchObject({
      "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
      "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": CERTIFICATE,
      "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "https",
      "service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy":
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
    });
    expect(service.spec.ports).toEqual([{ name: "https", port: 443, targetPort: "http", protocol: "TCP" }]);
    expect(String(outputs.eks.hubUrl)).toMatch(/^https:\/\//);
  });
});

describe("eks-fargate: warm pools (default hub.warmPools)", () => {
  it("tells the Hub to keep ten of its default shape warm, on its default placement", () => {
    expect(JSON.parse(hubEnvFromRecorder(recorder).HUB_WARM_POOLS!)).toEqual([{ size: 10 }]);
  });
});

describe("eks-fargate: web access (hub.hostname, hub.previewDomain, hub.route53ZoneId)", () => {
  const NLB = "mocked-eks-hub-service.elb.eu-west-1.amazonaws.com";

  it("deploys an environment the Hub's own parser accepts: Fargate placement, web access and the warm pool", () => {
    const config = parseHubEnv(hubEnvFromRecorder(recorder));
    expect(config.orchestrator).toMatchObject({ kind: "kubernetes", settings: { placements: ["fargate"] } });
    expect(config.portUrls).toMatchObject({
      publicUrl: "https://hub.example.com",
      previewDomain: "sandboxes.example.com",
    });
    expect(config.warmPools.pools).toEqual([
      expect.objectContaining({ image: config.defaultImage, size: 10, cpu: config.limits.cpuDefault }),
    ]);
  });

  it("gives the Hub its public URL and preview domain, and proxy timeouts inside the NLB's idle timeout", () => {
    const env = hubEnvFromRecorder(recorder);
    expect(env).toMatchObject({
      HUB_PUBLIC_URL: "https://hub.example.com",
      HUB_PREVIEW_DOMAIN: "sandboxes.example.com",
    });
    expect(Number(env.HUB_PROXY_RESPONSE_TIMEOUT_MS)).toBeLessThan(350_000);
    expect(outputs.eks.hubUrl).toBe("https://hub.example.com");
  });

  it("points the Hub's name and the previews' wildcard at the NLB in the zone", () => {
    const records = recorder.ofType("aws:route53/record:Record");
    expect(records.map((r) => r.name)).toEqual(["eks-hub-dns-hub", "eks-hub-dns-previews"]);
    expect(records.map((r) => r.inputs)).toEqual([
      { zoneId: "Z0MOCKEDEXAMPLE", name: "hub.example.com", type: "CNAME", ttl: 60, records: [NLB] },
      { zoneId: "Z0MOCKEDEXAMPLE", name: "*.sandboxes.example.com", type: "CNAME", ttl: 60, records: [NLB] },
    ]);
  });

  it("says which names the certificate must cover and where they lead", () => {
    expect(outputs.eks.dns).toEqual({
      loadBalancer: NLB,
      names: ["hub.example.com", "*.sandboxes.example.com"],
      recordsManaged: true,
    });
  });
});
