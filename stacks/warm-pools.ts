/**
 * Warm pools per candidate: `hub.warmPools.<candidate>` as written, the defaults when a candidate is
 * not named, and what each Hub is told (HUB_WARM_POOLS). A pool's placement is its candidate's, so a
 * pool under `eks-fargate` keeps Fargate pods warm and one under `eks-ec2` keeps pods on the workers.
 */
import { z } from "zod";
import type { HubWarmPool } from "../components/shared/hub-warm-pools";
import type { Candidate } from "./candidates";

/** Members one Hub keeps in all its pools together (hub-app refuses more: MAX_WARM_MEMBERS). */
export const MAX_WARM_MEMBERS_PER_HUB = 1000;

export const warmPoolSchema = z
  .object({
    /** Image of the members; unset: the Hub's default (`hub.sandboxImage` as pulled). */
    image: z.string().min(1).max(512).optional(),
    /** vCPU; unset: `hub.sandboxCpu`. */
    cpu: z.number().min(0.1).max(4).optional(),
    /** MiB; unset: `hub.sandboxMemoryMiB`. */
    memoryMiB: z.number().int().min(128).max(8192).optional(),
    size: z.number().int().min(0).max(MAX_WARM_MEMBERS_PER_HUB),
    /** Members older than this are replaced, so an image update reaches them; unset: the Hub's (an hour). */
    maxAgeSeconds: z.number().int().min(60).max(604_800).optional(),
  })
  .strict();

export type WarmPool = z.output<typeof warmPoolSchema>;

const poolList = z.array(warmPoolSchema).max(20);

export const warmPoolsSchema = z
  .object({
    "eks-ec2": poolList.optional(),
    "eks-fargate": poolList.optional(),
    "ecs-fargate": poolList.optional(),
  })
  .strict();

/**
 * None on EC2 workers, where the placeholders keep room and a pod starts in seconds; ten on each Fargate
 * candidate, where a cold start takes 20-160 s: ten students arriving together, or one every 8 s (EKS
 * Fargate, ~80 s) or 4 s (ECS, ~40 s), get a running sandbox at once. Cost: docs/infrastructure.md, "Warm pools".
 */
export const DEFAULT_WARM_POOLS: Readonly<Record<Candidate, readonly WarmPool[]>> = {
  "eks-ec2": [],
  "eks-fargate": [{ size: 10 }],
  "ecs-fargate": [{ size: 10 }],
};

export interface WarmPoolsConfig {
  readonly candidates: readonly Candidate[];
  readonly hub: { readonly warmPools?: z.output<typeof warmPoolsSchema> };
}

/** The pools of one candidate: as configured, else its default. */
export function warmPoolsOf(config: WarmPoolsConfig, candidate: Candidate): readonly WarmPool[] {
  return config.hub.warmPools?.[candidate] ?? DEFAULT_WARM_POOLS[candidate];
}

export function warmMembers(pools: readonly WarmPool[]): number {
  return pools.reduce((sum, pool) => sum + pool.size, 0);
}

/**
 * A candidate's pools as the Hub declares them. The placement is named only when it is not the Hub's
 * default, so a create that names none matches the pool exactly as the Hub resolves it.
 */
export function hubWarmPools(
  pools: readonly WarmPool[],
  placement: string,
  defaultPlacement: string,
): HubWarmPool[] {
  return pools
    .filter((pool) => pool.size > 0)
    .map((pool) => ({
      ...(pool.image === undefined ? {} : { image: pool.image }),
      ...(pool.cpu === undefined ? {} : { cpu: pool.cpu }),
      ...(pool.memoryMiB === undefined ? {} : { memory: pool.memoryMiB }),
      ...(placement === defaultPlacement ? {} : { placement }),
      size: pool.size,
      ...(pool.maxAgeSeconds === undefined ? {} : { maxAgeSeconds: pool.maxAgeSeconds }),
    }));
}
