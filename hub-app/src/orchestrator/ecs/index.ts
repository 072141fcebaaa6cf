/**
 * The ECS orchestrator: each sandbox is a Fargate task started with RunTask from a task
 * definition per (image, Fargate size); its metadata lives in the task's tags; commands and
 * files go through ECS Exec (the SSM session protocol). See orchestrator.ts.
 */
import type { ECSClient } from "@aws-sdk/client-ecs";
import type { Orchestrator, OrchestratorContext } from "../types.js";
import type { OpenSession } from "./exec-runner.js";
import { createEcsClient } from "./ecs-client.js";
import { EcsOrchestrator, type ReadyPolling } from "./orchestrator.js";
import type { PoolOwnership } from "./pool-owner.js";
import type { EcsSettings } from "./settings.js";

export { ecsEnvSchema, type EcsSettings } from "./settings.js";
export { fargateSizeFor, type FargateSize } from "./fargate-sizes.js";

/** Test seams. */
export interface EcsSeams {
  /** An ECS client (e.g. under aws-sdk-client-mock); by default one for settings.region. */
  readonly ecs?: ECSClient;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  readonly openSession?: OpenSession;
  readonly readyPolling?: ReadyPolling;
  /** Who owns this replica's warm-pool members (by default its task ARN, from the ECS metadata endpoint). */
  readonly ownership?: PoolOwnership;
}

export function createEcsOrchestrator(
  settings: EcsSettings,
  context: OrchestratorContext,
  seams: EcsSeams = {},
): Orchestrator {
  const ecs = seams.ecs ?? createEcsClient(settings.region);
  return new EcsOrchestrator(settings, context, {
    ecs,
    sleep: seams.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    now: seams.now ?? Date.now,
    openSession: seams.openSession,
    readyPolling: seams.readyPolling,
    ownership: seams.ownership,
    release: seams.ecs === undefined ? () => ecs.destroy() : undefined,
  });
}
