import type { Orchestrator, OrchestratorContext } from "../types.js";
import type { LocalSettings } from "./env.js";
import { LocalOrchestrator, type LocalOrchestratorDeps } from "./local-orchestrator.js";

export { localEnvSchema, type LocalSettings } from "./env.js";
export { LOCAL_IMAGE, LocalOrchestrator, type LocalOrchestratorDeps } from "./local-orchestrator.js";

export function createLocalOrchestrator(
  settings: LocalSettings,
  context: OrchestratorContext,
  deps?: LocalOrchestratorDeps,
): Orchestrator {
  return new LocalOrchestrator(settings, context, deps);
}
