import type { OrchestratorDescriptor } from "./descriptor.js";
import { ecsDescriptor } from "./ecs/descriptor.js";
import { kubernetesDescriptor } from "./kubernetes/descriptor.js";
import { localDescriptor } from "./local/descriptor.js";

/** Every orchestrator this Hub can run on; the first is the default of HUB_ORCHESTRATOR. */
export const ORCHESTRATORS = [localDescriptor, kubernetesDescriptor, ecsDescriptor] as const;

export type OrchestratorDescriptors = (typeof ORCHESTRATORS)[number];
export type OrchestratorKind = OrchestratorDescriptors["kind"];
/** Where a sandbox runs: `local` (bubblewrap here), `ec2` (EKS workers), `fargate` (EKS or ECS Fargate). */
export type Placement = OrchestratorDescriptors["placements"][number];

/** A kind with its validated settings: what configuration hands the factory. */
export type OrchestratorSelection = OrchestratorDescriptors extends infer D
  ? D extends OrchestratorDescriptor<infer Kind, string, infer Settings>
    ? { readonly kind: Kind; readonly settings: Settings }
    : never
  : never;

export const ORCHESTRATOR_KINDS = ORCHESTRATORS.map((descriptor) => descriptor.kind) as [
  OrchestratorKind,
  ...OrchestratorKind[],
];
/** Every placement some orchestrator serves, each once. */
export const PLACEMENTS = [...new Set(ORCHESTRATORS.flatMap((descriptor) => descriptor.placements))] as [
  Placement,
  ...Placement[],
];

export function descriptorOf<K extends OrchestratorKind>(
  kind: K,
): Extract<OrchestratorDescriptors, { kind: K }> {
  const descriptor = ORCHESTRATORS.find((candidate) => candidate.kind === kind);
  if (descriptor === undefined) throw new Error(`no orchestrator "${kind}" in this build`);
  return descriptor as Extract<OrchestratorDescriptors, { kind: K }>;
}
