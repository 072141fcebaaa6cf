import type { OrchestratorSelection } from "../config.js";
import { createEcsOrchestrator } from "./ecs/index.js";
import { createKubernetesOrchestrator } from "./kubernetes/index.js";
import { createLocalOrchestrator } from "./local/index.js";
import type { Orchestrator, OrchestratorContext } from "./types.js";

type Factories = {
  [K in OrchestratorSelection["kind"]]: (
    settings: Extract<OrchestratorSelection, { kind: K }>["settings"],
    context: OrchestratorContext,
  ) => Orchestrator;
};

/** The one place that maps an orchestrator kind to its implementation. */
const FACTORIES: Factories = {
  local: (settings, context) => createLocalOrchestrator(settings, context),
  kubernetes: (settings, context) => createKubernetesOrchestrator(settings, context),
  ecs: (settings, context) => createEcsOrchestrator(settings, context),
};

export function createOrchestrator(
  selection: OrchestratorSelection,
  context: OrchestratorContext,
): Orchestrator {
  const factory = FACTORIES[selection.kind] as (
    settings: unknown,
    context: OrchestratorContext,
  ) => Orchestrator;
  return factory(selection.settings, context);
}
