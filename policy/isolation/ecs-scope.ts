/**
 * Which ECS resources are the sandboxes' and which the Hub's, from the stack's own links: sandbox task
 * definitions sit under the sandbox template component or are run by no ECS service (the Hub starts them
 * with RunTask); the Hub's security groups are those of the services that run the other task definitions.
 */
import type { PolicyResource } from "@pulumi/policy";
import { isUnder, linked, linking, ofType } from "../lib/resources";
import { ECS_SANDBOX_COMPONENT, T } from "../lib/types";

const runByService = (resources: readonly PolicyResource[], taskDefinition: PolicyResource) =>
  linking(resources, taskDefinition, "taskDefinition", T.ecsService).length > 0;

export function sandboxTaskDefinitions(resources: readonly PolicyResource[]): PolicyResource[] {
  return ofType(resources, T.taskDefinition).filter(
    (td) => isUnder(td, ECS_SANDBOX_COMPONENT) || !runByService(resources, td),
  );
}

/** Security groups under the sandbox template: what sandbox tasks are started with. */
export function sandboxSecurityGroups(resources: readonly PolicyResource[]): PolicyResource[] {
  return ofType(resources, T.securityGroup).filter((sg) => isUnder(sg, ECS_SANDBOX_COMPONENT));
}

/** Security groups of the ECS services that run anything but sandboxes: the Hub's. */
export function hubSecurityGroups(resources: readonly PolicyResource[]): Set<string> {
  const sandboxes = new Set(sandboxTaskDefinitions(resources).map((td) => td.urn));
  const hubServices = ofType(resources, T.ecsService).filter((service) =>
    linked(service, "taskDefinition").some((td) => !sandboxes.has(td.urn)),
  );
  return new Set(
    hubServices.flatMap((s) => linked(s, "networkConfiguration", T.securityGroup).map((sg) => sg.urn)),
  );
}
