import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { podStatus } from "../../src/orchestrator/kubernetes/pod-info.js";

const reading = {
  instance: "hub",
  unschedulableDeadlineMs: 60_000,
  nowMs: Date.parse("2026-01-01T00:01:00Z"),
};
const createdMs = Date.parse("2026-01-01T00:00:00Z");

/** A sandbox pod the kubelet ended: its container killed (137), with or without a pod-level reason. */
function endedPod(status: { reason?: string; message?: string }): V1Pod {
  return {
    metadata: { name: "cnt-abcde" },
    spec: { containers: [{ name: "sandbox", image: "python:3.12" }] },
    status: {
      phase: "Failed",
      ...status,
      containerStatuses: [
        {
          name: "sandbox",
          image: "python:3.12",
          imageID: "",
          ready: false,
          restartCount: 0,
          state: { terminated: { exitCode: 137, reason: "Error" } },
        },
      ],
    },
  };
}

describe("a sandbox pod that ended", () => {
  it("says the kubelet's reason when it evicted the pod, not only the container's exit", () => {
    // The kubelet's words for an emptyDir past its sizeLimit (pkg/kubelet/eviction).
    const message = 'Usage of EmptyDir volume "workdir" exceeds the limit "1Gi". ';
    expect(podStatus(endedPod({ reason: "Evicted", message }), createdMs, reading)).toEqual({
      status: "failed",
      failure: `pod failed (Evicted): ${message}`,
    });
  });

  it("says how its container exited when the pod carries no reason of its own", () => {
    expect(podStatus(endedPod({}), createdMs, reading)).toEqual({
      status: "failed",
      failure: "container exited (Error, exit code 137)",
    });
  });
});
