import { describe, expect, it } from "vitest";
import { runStack } from "./harness/stack";

describe("dev stack under mocks", () => {
  it("runs the real program with Pulumi.dev.yaml and records a parented resource tree", async () => {
    const { recorder, outputs } = await runStack("dev");
    expect(outputs.candidates).toEqual(["eks-ec2", "eks-fargate", "ecs-fargate"]);
    const vpc = recorder.one("awsx:ec2:Vpc");
    expect(recorder.parentOf(vpc)?.type).toBe("hub:network:Network");
    expect(vpc.inputs.numberOfAvailabilityZones).toBe(3);
  });
});
