import type { z } from "zod";
import type { Orchestrator, OrchestratorContext } from "./types.js";

/**
 * Everything the rest of the Hub knows about one kind of orchestrator. A new backend is a folder
 * with a `descriptor.ts` and one line in `registry.ts`: configuration, the factory, the API's
 * placement list and the load tester all loop over the registry.
 */
export interface OrchestratorDescriptor<Kind extends string, Placement extends string, Settings> {
  /** The value of HUB_ORCHESTRATOR that picks it. */
  readonly kind: Kind;
  /** Its own environment variables, validated at start; the output is what `create` receives. */
  readonly envSchema: z.ZodType<Settings, unknown>;
  /** The image of a container whose request names none, unless HUB_DEFAULT_IMAGE says otherwise. */
  readonly defaultImage: string;
  /** Whether HUB_API_TOKEN (or its secret) must be given; only a Hub on a developer's machine may make its own. */
  readonly tokenRequired: boolean;
  /** Creates in flight at once unless HUB_CREATE_CONCURRENCY says otherwise: what the backend takes without throttling or thrashing. */
  readonly createConcurrency: number;
  /** Every placement it can serve; its settings may narrow them (see Orchestrator.placements). */
  readonly placements: readonly Placement[];
  /**
   * Builds the orchestrator. Its module (and the SDK it uses) is imported only here, when this
   * kind is picked: a local Hub never loads the AWS or Kubernetes clients.
   */
  readonly create: (settings: Settings, context: OrchestratorContext) => Promise<Orchestrator>;
}
