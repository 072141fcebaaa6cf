/**
 * Before a run on a Hub that keeps warm pools: wait until every pool is full, so the run measures
 * claims against cold starts rather than a pool still filling (the embedded Hub starts empty).
 */
import { HubApiError, type CreateRequest, type HubClient, type PoolView } from "./client.js";

export interface WarmPoolWait {
  /** Give up after this long and run anyway (the first creates are then cold). */
  readonly deadlineMs: number;
  readonly pollMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  /** Each pass while a pool is short, e.g. a progress line. */
  readonly onShort?: (pools: readonly PoolView[]) => void;
  /** Ctrl-C: stop waiting and run with what is ready. */
  readonly signal?: AbortSignal;
}

/** What a run asks for (its create request); image and placement absent take the Hub's defaults. */
export type RunShape = Pick<CreateRequest, "cpu" | "memory" | "image" | "placement">;

/** Whether a create of `shape` can claim from `pool` (the Hub claims only an exact shape). */
function serves(pool: PoolView, shape: RunShape): boolean {
  return (
    pool.cpu === shape.cpu &&
    pool.memory === shape.memory &&
    (shape.image === undefined || shape.image === pool.image) &&
    (shape.placement === undefined || shape.placement === pool.placement)
  );
}

/** "python:3.12-slim 0.25 vCPU 512 MiB fargate: 3 of 10 ready". */
export function describePool(pool: PoolView): string {
  return `${pool.image} ${pool.cpu} vCPU ${pool.memory} MiB ${pool.placement}: ${pool.ready} of ${pool.size} ready`;
}

/** The pools as last seen, and whether all were full before the deadline. */
export async function waitForWarmPools(
  client: Pick<HubClient, "pools">,
  options: WarmPoolWait,
): Promise<{ pools: readonly PoolView[]; full: boolean }> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  const giveUpAt = now() + options.deadlineMs;
  for (;;) {
    const { items } = await client.pools();
    const full = items.every((pool) => pool.ready >= pool.size);
    if (full || now() >= giveUpAt || options.signal?.aborted === true) return { pools: items, full };
    options.onShort?.(items);
    await sleep(options.pollMs ?? 250);
  }
}

/** How long a run waits for a Hub's pools to fill: a Fargate pool of dozens takes minutes. */
export const WARM_POOL_FILL_DEADLINE_MS = 300_000;

/**
 * Waits for the pools of a Hub that keeps any, saying so on the notice line; a Hub from before
 * warm pools (404) has none.
 */
export async function fillWarmPools(
  client: Pick<HubClient, "pools">,
  options: {
    signal?: AbortSignal;
    onNotice?: (line: string) => void;
    deadlineMs?: number;
    /** The run's create request: a pool serves only its exact shape. */
    shape?: RunShape;
  },
): Promise<void> {
  let said = false;
  try {
    const { pools, full } = await waitForWarmPools(client, {
      deadlineMs: options.deadlineMs ?? WARM_POOL_FILL_DEADLINE_MS,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      onShort: (short) => {
        if (said) return;
        said = true;
        options.onNotice?.(`waiting for the Hub's warm pools to fill: ${short.map(describePool).join("; ")}`);
      },
    });
    if (!full)
      options.onNotice?.(`running before the warm pools are full: ${pools.map(describePool).join("; ")}`);
    const { shape } = options;
    if (shape !== undefined && pools.length > 0 && !pools.some((pool) => serves(pool, shape))) {
      const asked = `${shape.cpu} vCPU ${shape.memory} MiB${shape.image === undefined ? "" : ` ${shape.image}`}`;
      options.onNotice?.(
        `no warm pool serves this run's ${asked}: every create starts cold (pools: ${pools.map(describePool).join("; ")})`,
      );
    }
  } catch (error) {
    if (error instanceof HubApiError && error.httpStatus === 404) return;
    throw error;
  }
}
