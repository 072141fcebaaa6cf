import type { CapacityProvider } from "./hub-environment";

export interface CapacityPlan {
  /** Capacity providers attached to the cluster. */
  readonly capacityProviders: CapacityProvider[];
  /** Where sandbox tasks run: the cluster's default strategy and the Hub's HUB_ECS_CAPACITY_PROVIDER. */
  readonly sandboxCapacityProvider: CapacityProvider;
  readonly defaultStrategy: { capacityProvider: CapacityProvider; base: number; weight: number }[];
}

/**
 * Fargate always; Fargate Spot only when asked, since Spot tasks can be stopped with two
 * minutes' notice (AWS docs, "Amazon ECS clusters for Fargate"): cheaper, but a student may lose work.
 */
export function capacityPlan(fargateSpot: boolean): CapacityPlan {
  const sandboxCapacityProvider: CapacityProvider = fargateSpot ? "FARGATE_SPOT" : "FARGATE";
  return {
    capacityProviders: fargateSpot ? ["FARGATE", "FARGATE_SPOT"] : ["FARGATE"],
    sandboxCapacityProvider,
    defaultStrategy: [{ capacityProvider: sandboxCapacityProvider, base: 0, weight: 1 }],
  };
}
