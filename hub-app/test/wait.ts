import { setTimeout as delay } from "node:timers/promises";

/**
 * Retries `attempt` until it resolves, or rejects with its last error after `deadlineMs`: for a
 * server a test started in the background, which has no event to wait on from outside.
 */
export async function untilResolves<T>(attempt: () => Promise<T>, deadlineMs: number): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (let pause = 10; ; pause = Math.min(pause * 2, 200)) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() + pause > deadline) throw error;
      await delay(pause);
    }
  }
}
