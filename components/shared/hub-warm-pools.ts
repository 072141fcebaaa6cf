/**
 * The warm pools a Hub keeps, as the Hub reads them: HUB_WARM_POOLS, a JSON list validated at start
 * (hub-app/src/services/pools/pool-env.ts). Fields the Hub fills from its own defaults are left out.
 */

/** One entry of the Hub's HUB_WARM_POOLS (hub-app/src/services/pools/pool-env.ts): memory in MiB. */
export interface HubWarmPool {
  readonly image?: string;
  readonly cpu?: number;
  readonly memory?: number;
  readonly placement?: string;
  readonly size: number;
  readonly maxAgeSeconds?: number;
}

/** HUB_WARM_POOLS, or nothing when the Hub keeps no pool. */
export function warmPoolEnvironment(pools: readonly HubWarmPool[]): Record<string, string> {
  return pools.length === 0 ? {} : { HUB_WARM_POOLS: JSON.stringify(pools) };
}
