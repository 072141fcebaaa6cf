import { describe, expect, it } from "vitest";
import { dryRunApply, KINDS_OF_EVERY_EKS_STACK } from "./stack-objects";

describe("the dev stack's Kubernetes objects (both EKS placements on one cluster)", () => {
  it("are all accepted by a real kube-apiserver 1.34 (server-side apply, dry run)", async () => {
    const { objects, failures } = await dryRunApply("dev");
    expect(failures).toEqual([]);
    const kinds = new Set(objects.map((o) => o.kind));
    for (const kind of [...KINDS_OF_EVERY_EKS_STACK, "PriorityClass", "DaemonSet"])
      expect(kinds).toContain(kind);
  });
});
