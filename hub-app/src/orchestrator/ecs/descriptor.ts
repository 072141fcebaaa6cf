import type { OrchestratorDescriptor } from "../descriptor.js";
import { ecsEnvSchema, type EcsSettings } from "./settings.js";

// Typed here, not inferred: `create` reaches back to the registry through the Orchestrator type.
export const ecsDescriptor: OrchestratorDescriptor<"ecs", "fargate", EcsSettings> = {
  kind: "ecs",
  envSchema: ecsEnvSchema,
  defaultImage: "public.ecr.aws/docker/library/python:3.12-slim",
  // RunTask: 20 calls/s sustained per account and Region (Amazon ECS service quotas, API throttling); half leaves room for retries.
  createConcurrency: 10,
  tokenRequired: true,
  // ECS runs sandboxes as Fargate tasks only (the EC2 launch type would need its own instances).
  placements: ["fargate"],
  create: async (settings, context) => (await import("./index.js")).createEcsOrchestrator(settings, context),
};
