import { Deployment } from "kubernetes-models/apps/v1";
import { Role } from "kubernetes-models/rbac.authorization.k8s.io/v1";
import { describe, expect, it } from "vitest";
import { envList, hubKubernetesEnvironment } from "../../components/kubernetes/hub-environment";
import { REQUIRED_ACCESS } from "../../hub-app/src/orchestrator/kubernetes/rbac-check";
import {
  hubPodSpec,
  hubServiceShape,
  hubUrlFromStatus,
  NLB_ANNOTATIONS,
} from "../../components/kubernetes/hub-pod-spec";
import { hubSandboxRules } from "../../components/kubernetes/hub-rbac";

const ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:hub-token-AbCdEf";
const envArgs = {
  instance: "eks",
  tokenSecretArn: ARN,
  region: "eu-west-1",
  sandboxNamespace: "sandboxes",
  placements: ["ec2", "fargate"] as const,
  defaultSandboxImage: "public.ecr.aws/docker/library/python:3.12-slim",
  defaultSandboxSize: { cpu: 0.1, memoryMiB: 128 },
};

describe("hubSandboxRules", () => {
  const rules = hubSandboxRules();
  const verbsOn = (resource: string) => rules.find((r) => r.resources.includes(resource))?.verbs;

  it("manages pods, execs into them and reads events, nothing more", () => {
    expect(verbsOn("pods")).toEqual(["create", "get", "list", "watch", "delete", "patch"]);
    expect(verbsOn("pods/exec")).toEqual(["create", "get"]);
    expect(verbsOn("events")).toEqual(["list", "watch"]);
    expect(rules.flatMap((r) => r.resources).sort()).toEqual(["events", "pods", "pods/exec"]);
    expect(rules.every((r) => r.apiGroups.length === 1 && r.apiGroups[0] === "")).toBe(true);
    expect(JSON.stringify(rules)).not.toContain("*");
  });

  it("grants every right the Hub's readiness check asks the API server for", () => {
    for (const access of REQUIRED_ACCESS) {
      const resource = "subresource" in access ? `${access.resource}/${access.subresource}` : access.resource;
      expect(verbsOn(resource), `${access.verb} ${resource}`).toContain(access.verb);
    }
  });

  it("validates as a namespaced Role", () => {
    expect(() =>
      new Role({ metadata: { name: "hub", namespace: "sandboxes" }, rules }).validate(),
    ).not.toThrow();
  });
});

describe("hubKubernetesEnvironment", () => {
  it("configures the kubernetes orchestrator with the shared labels and taint", () => {
    expect(hubKubernetesEnvironment(envArgs)).toEqual({
      HUB_ORCHESTRATOR: "kubernetes",
      HUB_INSTANCE: "eks",
      HUB_API_TOKEN_SECRET_ARN: ARN,
      AWS_REGION: "eu-west-1",
      HOST: "0.0.0.0",
      PORT: "8080",
      LOG_LEVEL: "info",
      HUB_RUN_TIMEOUT_MAX_MS: "330000",
      HUB_MAX_CONNECTIONS_PER_CLIENT: "0",
      HUB_DEFAULT_IMAGE: "public.ecr.aws/docker/library/python:3.12-slim",
      HUB_DEFAULT_CPU: "0.1",
      HUB_DEFAULT_MEMORY_MIB: "128",
      HUB_K8S_NAMESPACE: "sandboxes",
      HUB_K8S_PLACEMENTS: "ec2,fargate",
      HUB_K8S_WORKER_LABEL: "sandbox.hub/pool=workers",
      HUB_K8S_WORKER_TAINT: "sandbox.hub/dedicated=sandbox:NoSchedule",
      HUB_K8S_FARGATE_LABEL: "sandbox.hub/placement=fargate",
    });
  });

  it("keeps the given placement order: the first is the default", () => {
    expect(hubKubernetesEnvironment({ ...envArgs, placements: ["fargate"] }).HUB_K8S_PLACEMENTS).toBe(
      "fargate",
    );
  });

  it.each([[[]], [["ec2", "ec2"]], [["lambda"]]])("refuses placements %j", (placements) => {
    expect(() => hubKubernetesEnvironment({ ...envArgs, placements: placements as never })).toThrow(
      /placement/,
    );
  });

  it("lists variables sorted by name", () => {
    expect(envList({ B: "2", A: "1" })).toEqual([
      { name: "A", value: "1" },
      { name: "B", value: "2" },
    ]);
  });
});

describe("hubPodSpec", () => {
  const spec = hubPodSpec({ image: "hub:1", serviceAccountName: "hub", env: [{ name: "A", value: "1" }] });
  const container = spec.containers[0]!;

  it("runs on the manager group, one replica per node", () => {
    expect(spec.nodeSelector).toEqual({ "sandbox.hub/pool": "manager" });
    expect(spec).not.toHaveProperty("tolerations");
    expect(spec.topologySpreadConstraints[0]).toMatchObject({
      topologyKey: "kubernetes.io/hostname",
      maxSkew: 1,
      whenUnsatisfiable: "DoNotSchedule",
    });
  });

  it("is non-root with a read-only root filesystem, no capabilities, and a writable /tmp", () => {
    expect(spec.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(container.volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
    expect(spec.volumes[0]).toMatchObject({ name: "tmp", emptyDir: {} });
  });

  it("is probed on /healthz and /readyz and states its resources", () => {
    expect(container.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
    expect(container.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "http" });
    expect(container.resources.requests).toEqual({ cpu: "250m", memory: "256Mi" });
    expect(container.ports).toEqual([{ name: "http", containerPort: 8080, protocol: "TCP" }]);
  });

  it("validates inside a Deployment", () => {
    const labels = { "app.kubernetes.io/name": "hub" };
    const deployment = new Deployment({
      metadata: { name: "hub", namespace: "hub" },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: spec as never },
      },
    });
    expect(() => deployment.validate()).not.toThrow();
  });
});

describe("the Hub's load balancer", () => {
  it("asks the in-tree controller for an NLB targeting the manager nodes", () => {
    expect(NLB_ANNOTATIONS).toMatchObject({
      "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
      "service.beta.kubernetes.io/aws-load-balancer-target-node-labels": "sandbox.hub/pool=manager",
    });
  });

  it("turns the load balancer's name into the Hub URL", () => {
    expect(hubUrlFromStatus({ loadBalancer: { ingress: [{ hostname: "x.elb.amazonaws.com" }] } })).toBe(
      "http://x.elb.amazonaws.com",
    );
    expect(hubUrlFromStatus(undefined)).toBe("http://<load balancer pending>");
    expect(hubUrlFromStatus({ loadBalancer: { ingress: [{ ip: "203.0.113.9" }] } }, "https")).toBe(
      "https://203.0.113.9",
    );
  });

  it("serves plain HTTP on 80 without a certificate, and only TLS on 443 with one", () => {
    const plain = hubServiceShape(undefined);
    expect(plain.ports.map((p) => p.port)).toEqual([80]);
    expect(Object.keys(plain.annotations).some((key) => key.includes("ssl"))).toBe(false);
    const tls = hubServiceShape("arn:aws:acm:eu-west-1:123456789012:certificate/abc");
    expect(tls.scheme).toBe("https");
    expect(tls.ports).toEqual([{ name: "https", port: 443, targetPort: "http", protocol: "TCP" }]);
    expect(tls.annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"]).toMatch(
      /certificate\/abc$/,
    );
  });
});
