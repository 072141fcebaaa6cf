/** The sizes the cost model prices: the stacks' own configuration defaults (stacks/config.ts), not a copy. */
import { CANDIDATES, stackConfigSchema } from "../../../stacks/config";

export interface StackShape {
  readonly sandbox: { readonly cpu: number; readonly memoryMiB: number };
  readonly workerInstanceType: string;
  readonly workerMin: number;
  readonly workerMax: number;
  readonly managerInstanceType: string;
  readonly managerNodes: number;
  readonly nodeProvisioningSeconds: number;
  readonly hubReplicas: number;
  readonly ecsHub: { readonly cpuUnits: number; readonly memoryMiB: number };
  readonly natGateways: number;
}

/** The shape of the stacks as `pulumi up` would make them with no configuration set. */
export function defaultStackShape(): StackShape {
  const config = stackConfigSchema.parse({ candidates: [...CANDIDATES] });
  return {
    sandbox: { cpu: config.hub.sandboxCpu, memoryMiB: config.hub.sandboxMemoryMiB },
    workerInstanceType: config.eks.workerInstanceType,
    workerMin: config.eks.workerMin,
    workerMax: config.eks.workerMax,
    managerInstanceType: config.eks.managerInstanceType,
    managerNodes: config.eks.managerNodes,
    nodeProvisioningSeconds: config.eks.nodeProvisioningSeconds,
    hubReplicas: config.hub.replicas,
    ecsHub: { cpuUnits: config.ecs.hubCpuUnits, memoryMiB: config.ecs.hubMemoryMiB },
    natGateways: config.network.natGateways === "single" ? 1 : config.network.availabilityZones,
  };
}
