/** Waiting until the Hub's warm pool (HUB_WARM_POOL_SIZE) holds its members ready, through its own API. */
import { HubApiError } from "../../hub-app/src/bench/client";
import type { ConnectedHub } from "../../hub-app/src/bench/hub-connection";
import { waitFor } from "../cluster/wait";

interface PoolList {
  readonly items: readonly { readonly ready: number; readonly size: number }[];
}

export async function readyWarmMembers(hub: ConnectedHub): Promise<number> {
  try {
    const pools = await hub.client.request<PoolList>("GET", "/v1/pools");
    return pools.items.reduce((sum, pool) => sum + pool.ready, 0);
  } catch (error) {
    if (error instanceof HubApiError && error.httpStatus === 404) {
      throw new Error(
        "this Hub has no warm pools (GET /v1/pools answered 404): the warm-pool cells need the pool service",
      );
    }
    throw error;
  }
}

export async function waitForWarmPool(hub: ConnectedHub, size: number, deadlineMs: number): Promise<void> {
  await readyWarmMembers(hub);
  await waitFor(`${size} warm members ready`, async () => (await readyWarmMembers(hub)) >= size, {
    deadlineMs,
    intervalMs: 1000,
  });
}
