import { describe, expect, it } from "vitest";
import {
  RetriesExhaustedError,
  fullJitterDelay,
  retryWithBackoff,
  type RetryClock,
} from "../../src/orchestrator/retry.js";

const policy = { attempts: 4, baseDelayMs: 100, maxDelayMs: 300 };

function recordingClock(random = () => 0.5): RetryClock & { waits: number[] } {
  const waits: number[] = [];
  return { waits, sleep: (ms) => (waits.push(ms), Promise.resolve()), random };
}

describe("retryWithBackoff", () => {
  it("waits a random share of an exponentially growing, capped ceiling (full jitter)", () => {
    expect([0, 1, 2, 3].map((retry) => fullJitterDelay(policy, retry, () => 0.999))).toEqual([
      99, 199, 299, 299,
    ]);
    expect(fullJitterDelay(policy, 2, () => 0)).toBe(0);
    expect(fullJitterDelay(policy, 1, () => 0.5)).toBe(100);
  });

  it("retries retryable failures and returns the first success", async () => {
    const clock = recordingClock();
    let calls = 0;
    const result = await retryWithBackoff(
      () => (++calls < 3 ? Promise.reject(new Error("slow down")) : Promise.resolve("ok")),
      () => true,
      policy,
      clock,
    );
    expect(result).toBe("ok");
    expect(calls).toBe(3);
    expect(clock.waits).toEqual([50, 100]);
  });

  it("rethrows a non-retryable error at once", async () => {
    const clock = recordingClock();
    const fatal = new Error("bad request");
    await expect(
      retryWithBackoff(
        () => Promise.reject(fatal),
        () => false,
        policy,
        clock,
      ),
    ).rejects.toBe(fatal);
    expect(clock.waits).toEqual([]);
  });

  it("gives up after the allowed attempts with the last error", async () => {
    const clock = recordingClock();
    let calls = 0;
    const failure = retryWithBackoff(
      () => Promise.reject(new Error(`try ${++calls}`)),
      () => true,
      policy,
      clock,
    );
    await expect(failure).rejects.toBeInstanceOf(RetriesExhaustedError);
    await failure.catch((error: RetriesExhaustedError) =>
      expect((error.lastError as Error).message).toBe("try 4"),
    );
    expect(calls).toBe(4);
    expect(clock.waits).toHaveLength(3);
  });

  it("refuses a policy without attempts", async () => {
    await expect(
      retryWithBackoff(
        () => Promise.resolve(1),
        () => true,
        { ...policy, attempts: 0 },
      ),
    ).rejects.toThrow(/attempts must be a positive integer/);
  });
});
