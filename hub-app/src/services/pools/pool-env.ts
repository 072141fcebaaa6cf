/**
 * The warm-pool environment variables: HUB_WARM_POOL_SIZE (a pool of the Hub's defaults) and
 * HUB_WARM_POOLS (a JSON list of pools), validated at start like every other variable.
 * No import.meta here: config.ts imports this file, and the CommonJS infrastructure tests import config.ts.
 */
import { z } from "zod";
import { PLACEMENTS, type Placement } from "../../orchestrator/registry.js";

/** Members one Hub keeps in all its pools together: each is a running sandbox someone pays for. */
export const MAX_WARM_MEMBERS = 1000;

/** One entry of HUB_WARM_POOLS as written; absent fields take the Hub's defaults. */
export interface DeclaredPool {
  readonly image?: string;
  readonly cpu?: number;
  readonly memory?: number;
  readonly placement?: Placement;
  readonly size: number;
  readonly maxAgeSeconds?: number;
}

const declaredPool = z.strictObject({
  image: z.string().min(1).max(512).optional(),
  cpu: z.number().positive().optional(),
  memory: z.number().int().positive().optional(),
  placement: z.enum(PLACEMENTS).optional(),
  size: z.number().int().min(0).max(MAX_WARM_MEMBERS),
  maxAgeSeconds: z.number().int().min(60).max(604_800).optional(),
});

const SHAPE_HELP = `a JSON list of { "image"?, "cpu"?, "memory"?, "placement"?, "size", "maxAgeSeconds"? } (size 0-${MAX_WARM_MEMBERS}, maxAgeSeconds 60-604800)`;

/** HUB_WARM_POOLS: absent or empty is no pools. */
export function warmPoolsEnv() {
  return z
    .string()
    .optional()
    .transform((raw, ctx): DeclaredPool[] => {
      if (raw === undefined || raw.trim() === "") return [];
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch (error) {
        ctx.issues.push({
          code: "custom",
          input: raw,
          message: `HUB_WARM_POOLS must be ${SHAPE_HELP} (not JSON: ${(error as Error).message})`,
        });
        return z.NEVER;
      }
      const result = z.array(declaredPool).safeParse(parsed);
      if (result.success) return result.data;
      const issue = result.error.issues[0];
      const where = `HUB_WARM_POOLS${(issue?.path ?? []).map((key) => (typeof key === "number" ? `[${key}]` : `.${String(key)}`)).join("")}`;
      ctx.issues.push({
        code: "custom",
        input: raw,
        message: `HUB_WARM_POOLS must be ${SHAPE_HELP}; ${where}: ${issue?.message ?? "invalid"}`,
      });
      return z.NEVER;
    });
}
