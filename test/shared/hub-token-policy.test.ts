import { describe, expect, it } from "vitest";
import { hubTokenReadPolicy } from "../../components/shared/hub-token-policy";

const ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:hub-token-AbCdEf";

describe("hubTokenReadPolicy (ECS task execution role and EKS IRSA role alike)", () => {
  it("allows GetSecretValue on the token secret only", () => {
    expect(hubTokenReadPolicy(ARN).Statement).toEqual([
      { Sid: "ReadHubToken", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: ARN },
    ]);
  });

  it("refuses anything but a Secrets Manager ARN (a wildcard included)", () => {
    expect(() => hubTokenReadPolicy("*")).toThrow(/must be a Secrets Manager ARN, got "\*"/);
  });

  it("accepts the other partitions' ARNs", () => {
    const govArn = ARN.replace("arn:aws:", "arn:aws-us-gov:");
    expect(hubTokenReadPolicy(govArn).Statement[0]?.Resource).toBe(govArn);
  });
});
