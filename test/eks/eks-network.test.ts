/**
 * The EKS stack's network fixes, under the mock harness: sandboxes reach kube-dns by its ClusterIP
 * under strict policy enforcement, every namespace whose pods need traffic has a policy, and no run
 * outlasts the NLB's idle timeout (proved with the Hub itself, built from the stack's environment).
 */
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NLB_IDLE_TIMEOUT_SECONDS } from "../../components/kubernetes/nlb-idle-timeout";
import { hubTestApp } from "../harness/hub-test-app";
import type { Recorder } from "../harness/mocks";
import { runStack } from "../harness/stack";
import { hubEnvFromRecorder } from "./cluster-layout";

let recorder: Recorder;

beforeAll(async () => {
  ({ recorder } = await runStack("eks-ec2"));
});

const policiesIn = (namespace: string) =>
  recorder
    .ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
    .filter((p) => p.inputs.metadata.namespace === namespace);

describe("eks-ec2: DNS for sandboxes under the VPC CNI's policy agent", () => {
  it("allows UDP and TCP 53 to kube-dns's ClusterIP, the .10 of the cluster's service range", () => {
    const dns = policiesIn("sandboxes").find((p) => p.inputs.metadata.name === "egress-dns")!;
    // The harness's cluster reports EKS's 172.20.0.0/16, which the internet rule excepts.
    expect(dns.inputs.spec.egress).toContainEqual({
      to: [{ ipBlock: { cidr: "172.20.0.10/32" } }],
      ports: [
        { protocol: "UDP", port: 53 },
        { protocol: "TCP", port: 53 },
      ],
    });
  });

  it("enforces policies strictly: a new sandbox has no traffic until its policies apply", () => {
    const cni = recorder.one("aws:eks/addon:Addon", "eks-vpc-cni").inputs;
    expect(JSON.parse(cni.configurationValues).env.NETWORK_POLICY_ENFORCING_MODE).toBe("strict");
  });

  it("gives every namespace whose pods need traffic a policy, since strict mode cuts off the rest", () => {
    // kube-system: CoreDNS and cluster-autoscaler keep everything they had.
    expect(policiesIn("kube-system").map((p) => p.inputs.spec)).toEqual([
      { podSelector: {}, policyTypes: ["Ingress", "Egress"], ingress: [{}], egress: [{}] },
    ]);
    // The Hub: its port in (clients through the NLB, kubelet probes), anything out.
    const hubPort = recorder.one("kubernetes:apps/v1:Deployment", "eks-hub-deployment").inputs.spec.template
      .spec.containers[0].ports[0].containerPort;
    expect(policiesIn("hub").map((p) => p.inputs.spec)).toEqual([
      {
        podSelector: {},
        policyTypes: ["Ingress", "Egress"],
        ingress: [{ ports: [{ protocol: "TCP", port: hubPort }] }],
        egress: [{}],
      },
    ]);
    expect(policiesIn("sandboxes").length).toBeGreaterThan(0);
  });

  it("leaves without a policy only pods that need no network: pause containers with no ports or probes", () => {
    const workloads = [
      ...recorder.ofType("kubernetes:apps/v1:Deployment"),
      ...recorder.ofType("kubernetes:apps/v1:DaemonSet"),
    ];
    const withoutPolicy = workloads.filter((w) => policiesIn(w.inputs.metadata.namespace).length === 0);
    expect(withoutPolicy.map((w) => w.name).sort()).toEqual([
      "eks-image-puller-daemonset",
      "eks-overprovisioning-placeholders",
    ]);
    for (const workload of withoutPolicy) {
      for (const container of workload.inputs.spec.template.spec.containers) {
        expect(container.ports ?? [], workload.name).toEqual([]);
        expect(container.livenessProbe ?? container.readinessProbe, workload.name).toBeUndefined();
      }
    }
  });
});

describe("eks-ec2: no run outlasts the NLB's idle timeout", () => {
  let app: FastifyInstance;
  let auth: Record<string, string>;
  let maxRunMs: number;

  beforeAll(async () => {
    // The Hub exactly as the stack configures it (the token arrives from Secrets Manager at start).
    const { HUB_API_TOKEN_SECRET_ARN: _fromSecretsManager, ...env } = hubEnvFromRecorder(recorder);
    maxRunMs = Number(env.HUB_RUN_TIMEOUT_MAX_MS);
    const testApp = await hubTestApp();
    auth = testApp.auth;
    ({ app } = await testApp.fakeHub(env));
  });
  afterAll(async () => {
    await app.close();
  });

  const runFor = async (timeoutMs: number) => {
    const created = await app.inject({ method: "POST", url: "/v1/containers", headers: auth, payload: {} });
    expect(created.statusCode).toBe(201);
    const id = created.json<{ id: string }>().id;
    return app.inject({
      method: "POST",
      url: `/v1/containers/${id}/run`,
      headers: auth,
      payload: { command: ["sleep", "1000"], timeoutMs },
    });
  };

  it("caps runs below 350 s, with time left to send the answer", () => {
    expect(maxRunMs).toBeLessThan(NLB_IDLE_TIMEOUT_SECONDS * 1000);
    expect(NLB_IDLE_TIMEOUT_SECONDS * 1000 - maxRunMs).toBeGreaterThanOrEqual(10_000);
  });

  it("refuses a run asking for longer, naming the cap, and accepts one at the cap", async () => {
    const refused = await runFor(NLB_IDLE_TIMEOUT_SECONDS * 1000);
    expect(refused.statusCode).toBe(400);
    expect(refused.json<{ error: { message: string } }>().error.message).toContain(String(maxRunMs));
    expect((await runFor(maxRunMs)).statusCode).toBe(200);
  });

  it("keeps the NLB cross-zone, which the service controller reads for NLBs too and otherwise turns off", () => {
    const annotations = recorder.one("kubernetes:core/v1:Service", "eks-hub-service").inputs.metadata
      .annotations;
    expect(
      annotations["service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled"],
    ).toBe("true");
  });
});
