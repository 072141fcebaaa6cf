import type { CoreV1Event } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { warningSummary, withWarnings } from "../../src/orchestrator/kubernetes/pod-events.js";

function event(type: string, reason: string, message: string, at: string): CoreV1Event {
  return {
    metadata: { name: `${reason}.${at}` },
    involvedObject: { kind: "Pod", name: "cnt-abcde" },
    type,
    reason,
    message,
    lastTimestamp: new Date(at),
  };
}

describe("warningSummary", () => {
  it("keeps the newest warning of each reason, newest first, and ignores normal events", () => {
    const lines = warningSummary([
      event("Warning", "FailedScheduling", "0/3 nodes: old", "2026-01-01T00:00:01Z"),
      event("Normal", "TriggeredScaleUp", "pod triggered scale-up", "2026-01-01T00:00:02Z"),
      event("Warning", "FailedScheduling", "0/4 nodes: new", "2026-01-01T00:00:03Z"),
      event("Warning", "NotTriggerScaleUp", "max node group size reached", "2026-01-01T00:00:02Z"),
    ]);
    expect(lines).toEqual([
      "FailedScheduling: 0/4 nodes: new",
      "NotTriggerScaleUp: max node group size reached",
    ]);
  });

  it("names at most three reasons and cuts long messages", () => {
    const many = ["A", "B", "C", "D"].map((reason, i) =>
      event("Warning", reason, "x".repeat(1000), `2026-01-01T00:00:0${i}Z`),
    );
    const lines = warningSummary(many);
    expect(lines.map((line) => line.split(":")[0])).toEqual(["D", "C", "B"]);
    expect(lines[0]!.length).toBe("D: ".length + 300);
  });
});

describe("withWarnings", () => {
  it("appends only what the message does not already say", () => {
    const message = "Unschedulable for 120 s: 0/3 nodes are available";
    expect(withWarnings(message, ["FailedScheduling: 0/3 nodes are available"])).toBe(message);
    expect(withWarnings(message, ["NotTriggerScaleUp: max reached"])).toBe(
      `${message} (events: NotTriggerScaleUp: max reached)`,
    );
  });
});
