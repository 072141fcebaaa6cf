/**
 * The local orchestrator: each sandbox is a long-lived bubblewrap sandbox on this machine, entered
 * by the Hub's launcher (native/hub-launch.c) for commands and files. See orchestrator.ts.
 */
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import type { OrchestratorContext } from "../types.js";
import { LocalOrchestrator } from "./orchestrator.js";
import { projectDirectory } from "./sandbox-args.js";
import type { LocalSettings } from "./settings.js";

export { localEnvSchema, type LocalSettings } from "./settings.js";
export { LOCAL_IMAGE, LocalOrchestrator, type LocalParts } from "./orchestrator.js";

/** Test seams. */
export interface LocalSeams {
  /** Host paths hidden inside sandboxes besides /root, /home and HUB_LOCAL_ROOT (default: the Hub's project). */
  readonly hiddenPaths?: readonly string[];
  /** How often sandboxes' disk use is measured (default: scratch-watch.ts SCRATCH_CHECK_MS). */
  readonly scratchCheckMs?: number;
}

export function createLocalOrchestrator(
  settings: LocalSettings,
  context: OrchestratorContext,
  seams: LocalSeams = {},
): LocalOrchestrator {
  // The Hub's own project, found from its code rather than the working directory, which may be anywhere.
  const hiddenPaths = seams.hiddenPaths ?? [projectDirectory(codeDirectoryOf(context), existsSync)];
  return new LocalOrchestrator(settings, context, {
    hiddenPaths,
    ...(seams.scratchCheckMs === undefined ? {} : { scratchCheckMs: seams.scratchCheckMs }),
  });
}

function codeDirectoryOf(context: OrchestratorContext): string {
  const script = process.argv[1];
  return context.codeDirectory ?? (script === undefined ? process.cwd() : dirname(script));
}
