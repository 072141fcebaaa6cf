/**
 * Nodes keep pods off the instance role: IMDSv2 (tokens required) with a response hop limit of 1, so a
 * token request from a pod, one network hop further, never gets an answer (EC2 User Guide, "Configure the
 * instance metadata options"; EKS Best Practices, "Restrict access to the instance profile").
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { T } from "../lib/types";

interface MetadataOptions {
  httpEndpoint?: string;
  httpTokens?: string;
  httpPutResponseHopLimit?: number;
}

export const nodeMetadataProtected: ResourceValidationPolicy = {
  name: "node-imdsv2-hop-limit-1",
  description: "Node launch templates require IMDSv2 with a hop limit of 1, and every node group uses one.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type === T.launchTemplate) {
      const options = args.props.metadataOptions as MetadataOptions | undefined;
      if (options?.httpEndpoint === "disabled") return;
      const problems = [
        ...(options?.httpTokens === "required" ? [] : [`httpTokens is ${options?.httpTokens ?? "unset"}`]),
        ...(options?.httpPutResponseHopLimit === 1
          ? []
          : [`httpPutResponseHopLimit is ${options?.httpPutResponseHopLimit ?? "unset"}`]),
      ];
      if (problems.length > 0) {
        reportViolation(
          `${problems.join(" and ")}: pods could read the node role's credentials from the metadata service. ` +
            `Fix: metadataOptions { httpTokens: "required", httpPutResponseHopLimit: 1 } (components/eks/launch-template.ts).`,
        );
      }
    } else if (args.type === T.managedNodeGroup || args.type === T.eksNodeGroup) {
      // `in`, not a read: the template's id is unknown until it exists, and only its presence matters here.
      const launchTemplate = args.props.launchTemplate as object | undefined;
      if (!launchTemplate || !("id" in launchTemplate || "name" in launchTemplate)) {
        reportViolation(
          "the node group has no launch template, so EKS's default one applies (hop limit 2, IMDSv1 allowed). " +
            "Fix: give it a launch template with the metadata options of components/eks/launch-template.ts.",
        );
      }
    }
  },
};
