/**
 * Pure parts of the sandbox namespace: Pod Security labels, default sizes, quota and NetworkPolicies.
 * Sandboxes run students' code: they may reach the internet, never the cloud metadata service, the
 * VPC, the cluster's services or other private ranges, and only the Hub may reach them.
 */
import { HUB_POD_LABELS } from "./placement";

/**
 * Link-local, where AWS serves instance metadata (169.254.169.254, IMDS credentials), the VPC resolver
 * (169.254.169.253, which would bypass kube-dns) and the Pod Identity agent (169.254.170.23): all of it
 * stays out of sandbox code's reach, not only the one metadata address.
 */
export const METADATA_CIDR = "169.254.0.0/16";
/** RFC 1918 private ranges: covers the EKS service CIDR (10.100.0.0/16 or 172.20.0.0/16) and peered networks. */
export const PRIVATE_CIDRS = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] as const;

export function podSecurityLabels(kubernetesVersion: string): Record<string, string> {
  if (!/^1\.\d+$/.test(kubernetesVersion)) {
    throw new Error(`kubernetes version must look like 1.34, got "${kubernetesVersion}"`);
  }
  const version = `v${kubernetesVersion}`;
  return Object.fromEntries(
    ["enforce", "audit", "warn"].flatMap((mode) => [
      [`pod-security.kubernetes.io/${mode}`, "restricted"],
      [`pod-security.kubernetes.io/${mode}-version`, version],
    ]),
  );
}

export interface SandboxSize {
  /** vCPU, e.g. 0.1. */
  readonly cpu: number;
  readonly memoryMiB: number;
}

/** Kubernetes quantity in millicores: 0.1 -> "100m". */
export function milliCpu(cpu: number): string {
  if (!(cpu > 0)) throw new Error(`sandbox CPU must be more than 0 vCPU, got ${cpu}`);
  return `${Math.round(cpu * 1000)}m`;
}

export function mebibytes(memoryMiB: number): string {
  if (!(memoryMiB > 0) || !Number.isInteger(memoryMiB)) {
    throw new Error(`sandbox memory must be a whole number of MiB above 0, got ${memoryMiB}`);
  }
  return `${memoryMiB}Mi`;
}

/** The Hub's own upper bounds (HUB_CPU_MAX 4, HUB_MEMORY_MAX_MIB 8192): nothing bigger is admitted. */
export const SANDBOX_MAX: SandboxSize = { cpu: 4, memoryMiB: 8192 };

/** Defaults for containers that state no resources: the study's 0.1 vCPU / 128 MiB. */
export function sandboxLimitRangeSpec(size: SandboxSize) {
  const quantities = (s: SandboxSize) => ({ cpu: milliCpu(s.cpu), memory: mebibytes(s.memoryMiB) });
  return {
    limits: [
      {
        type: "Container",
        default: quantities(size),
        defaultRequest: quantities(size),
        max: quantities(SANDBOX_MAX),
      },
    ],
  };
}

/** A ceiling on sandbox pods, and nothing else a sandbox namespace should ever hold. */
export function sandboxQuotaSpec(maxPods: number) {
  if (!Number.isInteger(maxPods) || maxPods < 1) {
    throw new Error(`sandbox quota must allow a whole number of pods, at least 1, got ${maxPods}`);
  }
  return {
    hard: {
      pods: String(maxPods),
      services: "0",
      persistentvolumeclaims: "0",
      "count/deployments.apps": "0",
    },
  };
}

export interface SandboxNetworkPolicyArgs {
  readonly vpcCidr: string;
  readonly hubNamespace: string;
  /** ClusterIP of the kube-dns Service. */
  readonly kubeDnsIp: string;
}

/** The except list of the internet egress rule: metadata, the VPC and every private range, without repeats. */
export function blockedEgressCidrs(vpcCidr: string): string[] {
  return [...new Set([METADATA_CIDR, vpcCidr, ...PRIVATE_CIDRS])];
}

const everyPod = {};
const DNS_PORTS = [
  { protocol: "UDP", port: 53 },
  { protocol: "TCP", port: 53 },
];

/** The policies' names, known before the kube-dns address is. */
export const SANDBOX_NETWORK_POLICY_NAMES = [
  "default-deny",
  "ingress-from-hub",
  "egress-internet",
  "egress-dns",
] as const;

export function sandboxNetworkPolicies(args: SandboxNetworkPolicyArgs) {
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(args.kubeDnsIp)) {
    throw new Error(`kube-dns ClusterIP must be an IPv4 address, got "${args.kubeDnsIp}"`);
  }
  return {
    "default-deny": { podSelector: everyPod, policyTypes: ["Ingress", "Egress"] },
    "ingress-from-hub": {
      podSelector: everyPod,
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [
            {
              namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": args.hubNamespace } },
              podSelector: { matchLabels: { ...HUB_POD_LABELS } },
            },
          ],
        },
      ],
    },
    "egress-internet": {
      podSelector: everyPod,
      policyTypes: ["Egress"],
      egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: blockedEgressCidrs(args.vpcCidr) } }] }],
    },
    "egress-dns": {
      podSelector: everyPod,
      policyTypes: ["Egress"],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
              podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
            },
          ],
          ports: DNS_PORTS,
        },
        // The VPC CNI's policy agent sees the Service address before kube-proxy rewrites it, and that
        // address sits in a range the internet rule excepts: allow it by name (aws/aws-network-policy-agent).
        { to: [{ ipBlock: { cidr: `${args.kubeDnsIp}/32` } }], ports: DNS_PORTS },
      ],
    },
  };
}
