import { describe, expect, it } from "vitest";
import { startLocalHub } from "../../src/bench/local-hub.js";
import { UsageError } from "../../src/bench/options.js";
import { HubError } from "../../src/errors.js";
import { FakeOrchestrator } from "../app/fake-orchestrator.js";

describe("the load tester's embedded Hub", () => {
  it("stops before any create when its orchestrator is not ready, saying why", async () => {
    const orchestrator = new FakeOrchestrator();
    orchestrator.pingError = new HubError(
      "orchestrator_unavailable",
      "the local orchestrator needs bwrap (package bubblewrap)",
    );
    const started = startLocalHub({ env: {}, orchestrator });
    await expect(started).rejects.toBeInstanceOf(UsageError);
    await expect(started).rejects.toThrow(
      /the embedded Hub is not ready: .*needs bwrap \(package bubblewrap\)/,
    );
    expect(orchestrator.specs).toHaveLength(0);
    expect(orchestrator.closed).toBe(true);
  });
});
