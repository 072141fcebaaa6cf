import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  podSecurityLabels,
  SANDBOX_NETWORK_POLICY_NAMES,
  sandboxLimitRangeSpec,
  sandboxNetworkPolicies,
  sandboxQuotaSpec,
  type SandboxSize,
} from "./sandbox-policies";

export interface SandboxNamespaceArgs {
  readonly provider: k8s.Provider;
  /** The namespace's name; the Hub's HUB_K8S_NAMESPACE names it too (SANDBOX_NAMESPACE in placement.ts). */
  readonly name: string;
  /** Pod Security Standards version to enforce, the cluster's. */
  readonly kubernetesVersion: string;
  /** Default size of a container that states none (config hub.sandboxCpu / hub.sandboxMemoryMiB). */
  readonly defaultSize: SandboxSize;
  /** Ceiling on sandbox pods in the namespace. */
  readonly maxPods: number;
  readonly vpcCidr: string;
  /** ClusterIP of kube-dns: sandboxes may send DNS there and nowhere else in the private ranges. */
  readonly kubeDnsIp: pulumi.Input<string>;
  /** Namespace of the Hub, the only source of ingress. */
  readonly hubNamespace: string;
}

/** Where sandboxes live: Pod Security `restricted`, default sizes, a quota, and locked-down networking. */
export class SandboxNamespace extends pulumi.ComponentResource {
  public readonly namespace: k8s.core.v1.Namespace;
  public readonly name: pulumi.Output<string>;

  constructor(name: string, args: SandboxNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hub:kubernetes:SandboxNamespace", name, {}, opts);
    const childOpts = { parent: this, provider: args.provider };
    this.namespace = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      { metadata: { name: args.name, labels: podSecurityLabels(args.kubernetesVersion) } },
      childOpts,
    );
    this.name = this.namespace.metadata.name;
    const inNamespace = (objectName: string) => ({ name: objectName, namespace: this.name });
    new k8s.core.v1.LimitRange(
      `${name}-limits`,
      { metadata: inNamespace("sandbox-defaults"), spec: sandboxLimitRangeSpec(args.defaultSize) },
      childOpts,
    );
    new k8s.core.v1.ResourceQuota(
      `${name}-quota`,
      { metadata: inNamespace("sandbox-quota"), spec: sandboxQuotaSpec(args.maxPods) },
      childOpts,
    );
    // Sandboxes never talk to the Kubernetes API: the namespace's default account hands out no token.
    new k8s.core.v1.ServiceAccountPatch(
      `${name}-default-account`,
      { metadata: inNamespace("default"), automountServiceAccountToken: false },
      childOpts,
    );
    const policies = pulumi
      .output(args.kubeDnsIp)
      .apply((kubeDnsIp) =>
        sandboxNetworkPolicies({ vpcCidr: args.vpcCidr, hubNamespace: args.hubNamespace, kubeDnsIp }),
      );
    for (const policyName of SANDBOX_NETWORK_POLICY_NAMES) {
      new k8s.networking.v1.NetworkPolicy(
        `${name}-${policyName}`,
        { metadata: inNamespace(policyName), spec: policies.apply((all) => all[policyName]) },
        childOpts,
      );
    }
    this.registerOutputs({ name: this.name });
  }
}
