/**
 * Only the Hub may open connections to an ECS sandbox: every inbound rule of the sandbox security group
 * names a Hub security group, never an address range, the group itself or another group (VPC docs,
 * "Security group rules"). ECS Exec needs no inbound rule: the agent in the task dials out.
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { describe, linked, linking, list } from "../lib/resources";
import { T } from "../lib/types";
import { Unknowns } from "../lib/unknowns";
import { hubSecurityGroups, sandboxSecurityGroups } from "./ecs-scope";

interface InlineIngress {
  cidrBlocks?: string[];
  ipv6CidrBlocks?: string[];
  prefixListIds?: string[];
  securityGroups?: string[];
  self?: boolean;
}

/** Inbound rules of a security group, wherever they are declared, each with its sources. */
function inboundRules(resources: readonly PolicyResource[], group: PolicyResource) {
  const rules: {
    where: PolicyResource;
    label: string;
    ranges: boolean;
    self: boolean;
    groups: PolicyResource[];
  }[] = [];
  list(group.props.ingress as InlineIngress[] | undefined).forEach((rule, index) => {
    rules.push({
      where: group,
      label: `ingress[${index}]`,
      ranges: [rule.cidrBlocks, rule.ipv6CidrBlocks, rule.prefixListIds].some((v) => list(v).length > 0),
      self: rule.self === true,
      // An inline rule's group ids all come from the `ingress` input; any group linked there is a source.
      groups: linked(group, "ingress", T.securityGroup).filter((sg) => sg.urn !== group.urn),
    });
  });
  for (const rule of linking(resources, group, "securityGroupId", T.ingressRule)) {
    const p = rule.props;
    rules.push({
      where: rule,
      label: describe(rule),
      ranges: [p.cidrIpv4, p.cidrIpv6, p.prefixListId].some((v) => v !== undefined),
      self: linked(rule, "referencedSecurityGroupId").some((sg) => sg.urn === group.urn),
      groups: linked(rule, "referencedSecurityGroupId", T.securityGroup),
    });
  }
  for (const rule of linking(resources, group, "securityGroupId", T.securityGroupRule)) {
    const p = rule.props;
    if (p.type !== "ingress") continue;
    rules.push({
      where: rule,
      label: describe(rule),
      ranges: [p.cidrBlocks, p.ipv6CidrBlocks, p.prefixListIds].some((v) => list(v as string[]).length > 0),
      self: p.self === true,
      groups: linked(rule, "sourceSecurityGroupId", T.securityGroup),
    });
  }
  return rules;
}

export const ecsSandboxIngressHubOnly: StackValidationPolicy = {
  name: "ecs-sandbox-ingress-hub-only",
  description: "The ECS sandbox security group admits connections from the Hub's security group only.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const unknowns = new Unknowns();
    const hub = hubSecurityGroups(args.resources);
    const fix =
      "Fix: one ingress rule whose referencedSecurityGroupId is the Hub tasks' group (sandboxRules).";
    unknowns.each(sandboxSecurityGroups(args.resources), (group) => {
      for (const rule of inboundRules(args.resources, group)) {
        const others = rule.groups.filter((sg) => !hub.has(sg.urn));
        const problems = [
          ...(rule.ranges ? ["admits an address range"] : []),
          ...(rule.self ? ["admits the sandboxes themselves"] : []),
          ...others.map((sg) => `admits ${describe(sg)}, which is not the Hub's`),
          ...(!rule.ranges && !rule.self && rule.groups.length === 0 ? ["names no Hub security group"] : []),
        ];
        if (problems.length > 0) {
          reportViolation(
            `${rule.label} of sandbox security group "${group.name}" ${problems.join(", ")}. ${fix}`,
            rule.where.urn,
          );
        }
      }
    });
    unknowns.done();
  },
};
