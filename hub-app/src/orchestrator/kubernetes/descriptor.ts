import type { OrchestratorDescriptor } from "../descriptor.js";
import {
  KUBERNETES_PLACEMENTS,
  kubernetesEnvSchema,
  type KubernetesPlacement,
  type KubernetesSettings,
} from "./settings.js";

// Typed here, not inferred: `create` reaches back to the registry through the Orchestrator type.
export const kubernetesDescriptor: OrchestratorDescriptor<
  "kubernetes",
  KubernetesPlacement,
  KubernetesSettings
> = {
  kind: "kubernetes",
  envSchema: kubernetesEnvSchema,
  defaultImage: "public.ecr.aws/docker/library/python:3.12-slim",
  // The API server takes far more; 32 keeps the Hub's own watch and sockets small during a burst.
  createConcurrency: 32,
  tokenRequired: true,
  placements: KUBERNETES_PLACEMENTS,
  create: async (settings, context) =>
    (await import("./index.js")).createKubernetesOrchestrator(settings, context),
};
