import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { LimitRange, ResourceQuota } from "kubernetes-models/v1";
import { describe, expect, it } from "vitest";
import {
  blockedEgressCidrs,
  milliCpu,
  podSecurityLabels,
  SANDBOX_NETWORK_POLICY_NAMES,
  sandboxLimitRangeSpec,
  sandboxNetworkPolicies,
  sandboxQuotaSpec,
} from "../../components/kubernetes/sandbox-policies";

describe("podSecurityLabels", () => {
  it("enforces, audits and warns on restricted at the cluster's version", () => {
    expect(podSecurityLabels("1.34")).toEqual({
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/enforce-version": "v1.34",
      "pod-security.kubernetes.io/audit": "restricted",
      "pod-security.kubernetes.io/audit-version": "v1.34",
      "pod-security.kubernetes.io/warn": "restricted",
      "pod-security.kubernetes.io/warn-version": "v1.34",
    });
  });

  it("refuses a version that is not a minor version", () => {
    expect(() => podSecurityLabels("latest")).toThrow(/must look like 1.34/);
  });
});

describe("sandbox sizes", () => {
  it("defaults containers to 0.1 vCPU / 128 Mi and caps them at the Hub's maximum", () => {
    const spec = sandboxLimitRangeSpec({ cpu: 0.1, memoryMiB: 128 });
    expect(spec.limits[0]).toEqual({
      type: "Container",
      default: { cpu: "100m", memory: "128Mi" },
      defaultRequest: { cpu: "100m", memory: "128Mi" },
      max: { cpu: "4000m", memory: "8192Mi" },
    });
    expect(() => new LimitRange({ metadata: { name: "l" }, spec }).validate()).not.toThrow();
  });

  it("refuses zero CPU or memory", () => {
    expect(() => milliCpu(0)).toThrow(/more than 0 vCPU/);
    expect(() => sandboxLimitRangeSpec({ cpu: 0.1, memoryMiB: 0 })).toThrow(/whole number of MiB above 0/);
  });

  it("caps pods and forbids services, volumes claims and deployments in the namespace", () => {
    const spec = sandboxQuotaSpec(1001);
    expect(spec.hard).toEqual({
      pods: "1001",
      services: "0",
      persistentvolumeclaims: "0",
      "count/deployments.apps": "0",
    });
    expect(() => new ResourceQuota({ metadata: { name: "q" }, spec }).validate()).not.toThrow();
    expect(() => sandboxQuotaSpec(0)).toThrow(/at least 1, got 0/);
  });
});

describe("sandboxNetworkPolicies", () => {
  const policies = sandboxNetworkPolicies({
    vpcCidr: "10.0.0.0/16",
    hubNamespace: "hub",
    kubeDnsIp: "172.20.0.10",
  });

  it("denies all ingress and egress by default", () => {
    expect(policies["default-deny"]).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
  });

  it("admits ingress only from the Hub's pods in the Hub's namespace (one peer, both selectors)", () => {
    expect(policies["ingress-from-hub"].ingress).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "hub" } },
            podSelector: { matchLabels: { "app.kubernetes.io/name": "hub" } },
          },
        ],
      },
    ]);
  });

  it("lets sandboxes reach the internet but not metadata, the VPC or private ranges", () => {
    const rule = policies["egress-internet"].egress[0]!.to[0]!.ipBlock;
    expect(rule.cidr).toBe("0.0.0.0/0");
    expect(rule.except).toEqual([
      "169.254.0.0/16",
      "10.0.0.0/16",
      "10.0.0.0/8",
      "172.16.0.0/12",
      "192.168.0.0/16",
    ]);
  });

  it("allows DNS to kube-dns only, over UDP and TCP 53: its pods, and its ClusterIP by address", () => {
    const [pods, service] = policies["egress-dns"].egress;
    expect(pods!.to[0]).toMatchObject({ podSelector: { matchLabels: { "k8s-app": "kube-dns" } } });
    // The internet rule excepts 172.16/12, where the ClusterIP lives: only this explicit rule admits it.
    expect(service!.to).toEqual([{ ipBlock: { cidr: "172.20.0.10/32" } }]);
    for (const rule of [pods!, service!]) {
      expect(rule.ports).toEqual([
        { protocol: "UDP", port: 53 },
        { protocol: "TCP", port: 53 },
      ]);
    }
  });

  it("names its policies before the kube-dns address is known, and refuses an address that is not one", () => {
    expect(Object.keys(policies)).toEqual([...SANDBOX_NETWORK_POLICY_NAMES]);
    expect(() =>
      sandboxNetworkPolicies({ vpcCidr: "10.0.0.0/16", hubNamespace: "hub", kubeDnsIp: "kube-dns" }),
    ).toThrow(/kube-dns ClusterIP must be an IPv4 address, got "kube-dns"/);
  });

  it("does not repeat a VPC CIDR that equals a private range", () => {
    expect(blockedEgressCidrs("10.0.0.0/8")).toEqual([
      "169.254.0.0/16",
      "10.0.0.0/8",
      "172.16.0.0/12",
      "192.168.0.0/16",
    ]);
  });

  it("every policy validates against the schema", () => {
    for (const [name, spec] of Object.entries(policies)) {
      expect(() => new NetworkPolicy({ metadata: { name }, spec: spec as never }).validate()).not.toThrow();
    }
  });
});
