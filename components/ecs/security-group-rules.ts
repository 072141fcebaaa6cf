/**
 * Who may talk to whom in the ECS candidate: internet -> load balancer -> Hub -> sandboxes.
 * Pure rule lists, made into resources by `createSecurityGroupRules`.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

export const ANYWHERE_IPV4 = "0.0.0.0/0";

export type RulePeer = { readonly cidrIpv4: string } | { readonly securityGroupId: pulumi.Input<string> };

export interface SecurityGroupRuleSpec {
  /** Suffix of the rule's resource name. */
  readonly role: string;
  readonly direction: "ingress" | "egress";
  readonly description: string;
  /** "-1" is every protocol and port. */
  readonly protocol: "tcp" | "-1";
  /** The one TCP port the rule opens; absent for "-1". */
  readonly port?: number;
  readonly peer: RulePeer;
}

/** The load balancer: its listener ports from anywhere, and out only to the Hub's port. */
export function loadBalancerRules(args: {
  readonly listenerPorts: readonly number[];
  readonly hubSecurityGroupId: pulumi.Input<string>;
  readonly hubPort: number;
}): SecurityGroupRuleSpec[] {
  return [
    ...args.listenerPorts.map((port): SecurityGroupRuleSpec => ({
      role: `from-internet-${port}`,
      direction: "ingress",
      description: `Clients to the Hub's listener on ${port}`,
      protocol: "tcp",
      port,
      peer: { cidrIpv4: ANYWHERE_IPV4 },
    })),
    {
      role: "to-hub",
      direction: "egress",
      description: "Forward to the Hub tasks",
      protocol: "tcp",
      port: args.hubPort,
      peer: { securityGroupId: args.hubSecurityGroupId },
    },
  ];
}

/** The Hub: reachable only from its load balancer; out to AWS APIs, ECR and sandboxes. */
export function hubRules(args: {
  readonly loadBalancerSecurityGroupId: pulumi.Input<string>;
  readonly hubPort: number;
}): SecurityGroupRuleSpec[] {
  return [
    {
      role: "from-load-balancer",
      direction: "ingress",
      description: "The load balancer to the Hub's port",
      protocol: "tcp",
      port: args.hubPort,
      peer: { securityGroupId: args.loadBalancerSecurityGroupId },
    },
    {
      role: "to-anywhere",
      direction: "egress",
      description: "AWS APIs (ECS, SSM sessions, Secrets Manager), ECR and sandboxes",
      protocol: "-1",
      peer: { cidrIpv4: ANYWHERE_IPV4 },
    },
  ];
}

/**
 * Sandboxes: inbound only from the Hub (not from each other, not from the load balancer);
 * outbound to the internet so students can install packages. ECS Exec needs no inbound rule:
 * the SSM agent in the task dials out.
 */
export function sandboxRules(args: {
  readonly hubSecurityGroupId: pulumi.Input<string>;
}): SecurityGroupRuleSpec[] {
  return [
    {
      role: "from-hub",
      direction: "ingress",
      description: "Only the Hub may open connections to sandboxes",
      protocol: "-1",
      peer: { securityGroupId: args.hubSecurityGroupId },
    },
    {
      role: "to-internet",
      direction: "egress",
      description: "Package installs and ECS Exec's outbound SSM channel",
      protocol: "-1",
      peer: { cidrIpv4: ANYWHERE_IPV4 },
    },
  ];
}

export type SecurityGroupRule = aws.vpc.SecurityGroupIngressRule | aws.vpc.SecurityGroupEgressRule;

/** One aws.vpc rule resource per spec (the provider's recommended form over inline rules). */
export function createSecurityGroupRules(
  name: string,
  securityGroupId: pulumi.Input<string>,
  rules: readonly SecurityGroupRuleSpec[],
  parent: pulumi.Resource,
): SecurityGroupRule[] {
  return rules.map((rule) => {
    const args = {
      securityGroupId,
      description: rule.description,
      ipProtocol: rule.protocol,
      fromPort: rule.port,
      toPort: rule.port,
      ...("cidrIpv4" in rule.peer
        ? { cidrIpv4: rule.peer.cidrIpv4 }
        : { referencedSecurityGroupId: rule.peer.securityGroupId }),
    };
    const ruleName = `${name}-${rule.role}`;
    return rule.direction === "ingress"
      ? new aws.vpc.SecurityGroupIngressRule(ruleName, args, { parent })
      : new aws.vpc.SecurityGroupEgressRule(ruleName, args, { parent });
  });
}
