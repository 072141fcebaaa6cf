import type { OrchestratorDescriptor } from "../descriptor.js";
import { localEnvSchema, type LocalSettings } from "./settings.js";

// Typed here, not inferred: `create` reaches back to the registry through the Orchestrator type.
export const localDescriptor: OrchestratorDescriptor<"local", "local", LocalSettings> = {
  kind: "local",
  envSchema: localEnvSchema,
  // Local sandboxes run the host's own programs; there is no other image.
  defaultImage: "host",
  // Each launch is a few ms of CPU (namespaces, mounts); on a small machine more at once only queue in the kernel.
  createConcurrency: 4,
  tokenRequired: false,
  placements: ["local"],
  create: async (settings, context) =>
    (await import("./index.js")).createLocalOrchestrator(settings, context),
};
