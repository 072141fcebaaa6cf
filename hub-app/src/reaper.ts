import type { Logger } from "pino";
import type { Orchestrator } from "./orchestrator/types.js";

/**
 * Reconciles what the orchestrator holds (when it can), then deletes this Hub's containers past
 * expiresAt; stateless, it asks the orchestrator each time. Returns the ids deleted.
 */
export async function reapExpired(orchestrator: Orchestrator, now: Date, logger: Logger): Promise<string[]> {
  await orchestrator
    .reconcile?.()
    .catch((error: unknown) => logger.warn({ err: error }, "could not reconcile the orchestrator's state"));
  const expired = (await orchestrator.list()).filter(
    (container) => Date.parse(container.expiresAt) <= now.getTime(),
  );
  const deleted: string[] = [];
  for (const container of expired) {
    try {
      if (await orchestrator.delete(container.id)) {
        deleted.push(container.id);
        logger.info({ id: container.id, expiresAt: container.expiresAt }, "reaped expired container");
      }
    } catch (error) {
      logger.warn({ err: error, id: container.id }, "could not reap expired container");
    }
  }
  return deleted;
}

export interface Reaper {
  stop(): Promise<void>;
}

/** Runs reapExpired every `intervalMs`, never two at once; stop() waits for a pass in progress. */
export function startReaper(
  orchestrator: Orchestrator,
  intervalMs: number,
  logger: Logger,
  onReaped: (count: number) => void = () => undefined,
): Reaper {
  let running: Promise<void> | undefined;
  const pass = (): void => {
    if (running) return;
    running = reapExpired(orchestrator, new Date(), logger)
      .then((ids) => onReaped(ids.length))
      .catch((error: unknown) => logger.warn({ err: error }, "reaper pass failed"))
      .finally(() => (running = undefined));
  };
  const timer = setInterval(pass, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
