/**
 * The sandbox namespace itself: Pod Security `restricted` enforced (Kubernetes docs, "Pod Security
 * Admission"), a default-deny NetworkPolicy so only what is allowed flows, and no egress rule reaching
 * link-local 169.254.0.0/16, where AWS serves instance metadata, the VPC resolver and the Pod Identity
 * agent (EC2 User Guide, "Instance metadata"; EKS docs, "Pod Identity agent").
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { covered, ipv4Range, overlap } from "../lib/cidr";
import { entriesOf, list, ofType } from "../lib/resources";
import { T } from "../lib/types";
import { Unknowns } from "../lib/unknowns";
import { sandboxNamespaces, sandboxScope } from "./sandbox-scope";

const LINK_LOCAL = ipv4Range("169.254.0.0/16")!;

interface Metadata {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
}
interface Peer {
  ipBlock?: { cidr: string; except?: string[] };
  podSelector?: unknown;
  namespaceSelector?: unknown;
}
interface NetworkPolicySpec {
  podSelector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
  policyTypes?: string[];
  ingress?: unknown[];
  egress?: { to?: Peer[]; ports?: unknown[] }[];
}

const metadataOf = (r: PolicyResource) => (r.props.metadata ?? {}) as Metadata;
const specOf = (r: PolicyResource) => (r.props.spec ?? {}) as NetworkPolicySpec;

export const sandboxNamespaceRestricted: StackValidationPolicy = {
  name: "sandbox-namespace-restricted",
  description: "Namespaces where sandbox-side pods run enforce Pod Security `restricted`.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const unknowns = new Unknowns();
    const scope = sandboxScope(args.resources, unknowns);
    const wanted = new Map<string, PolicyResource>(scope.namespaces);
    for (const w of scope.workloads)
      if (w.namespace && !wanted.has(w.namespace)) wanted.set(w.namespace, w.resource);
    const namespaces = new Map<string, PolicyResource>();
    unknowns.each(ofType(args.resources, T.namespace), (ns) => {
      const name = metadataOf(ns).name;
      if (name) namespaces.set(name, ns);
    });
    unknowns.each(wanted, ([name, because]) => {
      const namespace = namespaces.get(name);
      const enforce = namespace ? entriesOf(metadataOf(namespace).labels) : [];
      const level = enforce.find(([key]) => key === "pod-security.kubernetes.io/enforce")?.[1];
      if (level === "restricted") return;
      reportViolation(
        namespace
          ? `namespace "${name}" enforces Pod Security "${typeof level === "string" ? level : "nothing"}". Fix: label it pod-security.kubernetes.io/enforce=restricted (podSecurityLabels in components/kubernetes/sandbox-policies.ts).`
          : `namespace "${name}" (used by ${because.type} "${because.name}") is not declared in the program, so nothing enforces Pod Security on it. Fix: declare it with pod-security.kubernetes.io/enforce=restricted.`,
        (namespace ?? because).urn,
      );
    });
    unknowns.done();
  },
};

const isEveryPod = (spec: NetworkPolicySpec) =>
  Object.keys(spec.podSelector?.matchLabels ?? {}).length === 0 &&
  list(spec.podSelector?.matchExpressions).length === 0;

/** podSelector {} with both policy types and no rules: denies all traffic of every pod it selects. */
export function isDefaultDeny(spec: NetworkPolicySpec): boolean {
  const types = list(spec.policyTypes);
  return (
    isEveryPod(spec) &&
    types.includes("Ingress") &&
    types.includes("Egress") &&
    list(spec.ingress).length === 0 &&
    list(spec.egress).length === 0
  );
}

export const sandboxNamespaceDefaultDeny: StackValidationPolicy = {
  name: "sandbox-namespace-default-deny",
  description: "Every sandbox namespace has a default-deny NetworkPolicy (ingress and egress).",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const unknowns = new Unknowns();
    const namespaces = sandboxNamespaces(args.resources, unknowns);
    const denied = new Set<string>();
    unknowns.each(ofType(args.resources, T.networkPolicy), (policy) => {
      const namespace = metadataOf(policy).namespace;
      if (namespace && isDefaultDeny(specOf(policy))) denied.add(namespace);
    });
    for (const [name, role] of namespaces) {
      if (denied.has(name)) continue;
      reportViolation(
        `sandbox namespace "${name}" (where ${role.type} "${role.name}" lets the Hub create pods) has no default-deny NetworkPolicy. ` +
          'Fix: add one with podSelector: {}, policyTypes: ["Ingress", "Egress"] and no rules (sandboxNetworkPolicies).',
        role.urn,
      );
    }
    unknowns.done();
  },
};

/** Why an egress rule admits link-local addresses, or undefined when it does not. */
export function linkLocalAdmission(rule: { to?: Peer[] }): string | undefined {
  const peers = list(rule.to);
  if (peers.length === 0) return "an egress rule with no `to` admits every address";
  for (const peer of peers) {
    if (!peer.ipBlock) continue;
    const range = ipv4Range(peer.ipBlock.cidr);
    const reached = range && overlap(range, LINK_LOCAL);
    if (!reached) continue;
    const excepted = list(peer.ipBlock.except).flatMap((cidr) => {
      const r = ipv4Range(cidr);
      return r ? [r] : [];
    });
    if (!covered(reached, excepted)) {
      return `ipBlock ${peer.ipBlock.cidr} (except ${list(peer.ipBlock.except).join(", ") || "nothing"}) admits part of 169.254.0.0/16`;
    }
  }
  return undefined;
}

export const sandboxEgressNoLinkLocal: StackValidationPolicy = {
  name: "sandbox-egress-no-link-local",
  description: "No NetworkPolicy egress rule in a sandbox namespace admits link-local 169.254.0.0/16.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const unknowns = new Unknowns();
    const namespaces = sandboxNamespaces(args.resources, unknowns);
    unknowns.each(ofType(args.resources, T.networkPolicy), (policy) => {
      const namespace = metadataOf(policy).namespace;
      if (!namespace || !namespaces.has(namespace)) return;
      list(specOf(policy).egress).forEach((rule, index) => {
        const why = linkLocalAdmission(rule);
        if (!why) return;
        reportViolation(
          `egress[${index}] of NetworkPolicy "${metadataOf(policy).name ?? policy.name}" in "${namespace}": ${why}, so sandbox code could reach instance metadata. ` +
            'Fix: name destinations explicitly, and put "169.254.0.0/16" in the except list of any wider ipBlock.',
          policy.urn,
        );
      });
    });
    unknowns.done();
  },
};
