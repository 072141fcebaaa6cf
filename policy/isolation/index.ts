import type { Policies } from "@pulumi/policy";
import { ecsSandboxIngressHubOnly } from "./ecs-sandbox-ingress";
import { ecsSandboxTaskRoleExecOnly } from "./ecs-sandbox-role";
import { nodeMetadataProtected } from "./node-metadata";
import { sandboxPodsLockedDown } from "./sandbox-pods";
import {
  sandboxEgressNoLinkLocal,
  sandboxNamespaceDefaultDeny,
  sandboxNamespaceRestricted,
} from "./sandbox-network";

/** Sandboxes stay inside their container, their namespace and their network. */
export const isolationPolicies: Policies = [
  nodeMetadataProtected,
  sandboxPodsLockedDown,
  sandboxNamespaceRestricted,
  sandboxNamespaceDefaultDeny,
  sandboxEgressNoLinkLocal,
  ecsSandboxTaskRoleExecOnly,
  ecsSandboxIngressHubOnly,
];
