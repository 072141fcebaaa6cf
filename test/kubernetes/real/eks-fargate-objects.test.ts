import { describe, expect, it } from "vitest";
import { dryRunApply, KINDS_OF_EVERY_EKS_STACK } from "./stack-objects";

describe("the eks-fargate stack's Kubernetes objects", () => {
  it("are all accepted by a real kube-apiserver 1.34 (server-side apply, dry run)", async () => {
    const { objects, failures } = await dryRunApply("eks-fargate");
    expect(failures).toEqual([]);
    expect(new Set(objects.map((o) => o.kind))).toEqual(new Set(KINDS_OF_EVERY_EKS_STACK));
  });
});
