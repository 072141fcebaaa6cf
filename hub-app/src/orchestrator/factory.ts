import { descriptorOf, type OrchestratorSelection } from "./registry.js";
import type { Orchestrator, OrchestratorContext } from "./types.js";

/** The one place that turns a configured kind into its implementation, by way of the registry. */
export async function createOrchestrator(
  selection: OrchestratorSelection,
  context: OrchestratorContext,
): Promise<Orchestrator> {
  const descriptor = descriptorOf(selection.kind) as {
    create: (settings: unknown, context: OrchestratorContext) => Promise<Orchestrator>;
  };
  return descriptor.create(selection.settings, context);
}
