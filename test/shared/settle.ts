import type { Recorder } from "../harness/mocks";

/**
 * Waits until every resource constructed so far has been registered with the mock engine:
 * registration is asynchronous, so a test reads the recorder only after this. Throws past the deadline.
 */
export async function settled(recorder: Recorder, deadlineMs = 10_000): Promise<Recorder> {
  const deadline = Date.now() + deadlineMs;
  let stableTurns = 0;
  let last = -1;
  while (stableTurns < 20) {
    if (Date.now() > deadline) throw new Error("resources did not finish registering before the deadline");
    await new Promise((resolve) => setImmediate(resolve));
    const pending = recorder.resources.filter((r) => r.urn === undefined).length;
    stableTurns = recorder.resources.length === last && pending === 0 ? stableTurns + 1 : 0;
    last = recorder.resources.length;
  }
  return recorder;
}
