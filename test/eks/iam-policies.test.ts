import { describe, expect, it } from "vitest";
import {
  AUTOSCALER_READ_ACTIONS,
  AUTOSCALER_WRITE_ACTIONS,
  clusterAutoscalerPolicy,
} from "../../components/eks/autoscaler-policy";
import {
  fargatePodExecutionTrustPolicy,
  irsaTrustPolicy,
  issuerHost,
  serviceTrustPolicy,
} from "../../components/eks/trust-policies";

const PROVIDER = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC";
const ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC";

describe("irsaTrustPolicy", () => {
  it("trusts exactly one service account with both sub and aud, by StringEquals", () => {
    const policy = JSON.parse(irsaTrustPolicy(PROVIDER, ISSUER, { namespace: "hub", name: "hub" }));
    expect(policy.Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Federated: PROVIDER },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            "oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:hub:hub",
            "oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com",
          },
        },
      },
    ]);
    expect(JSON.stringify(policy)).not.toContain("StringLike");
  });

  it("accepts the issuer with or without its scheme", () => {
    expect(irsaTrustPolicy(PROVIDER, ISSUER, { namespace: "a", name: "b" })).toBe(
      irsaTrustPolicy(PROVIDER, ISSUER.replace("https://", ""), { namespace: "a", name: "b" }),
    );
  });

  it.each([
    [{ namespace: "*", name: "hub" }, /namespace must be a DNS label/],
    [{ namespace: "hub", name: "" }, /service account name must be a DNS label/],
    [{ namespace: "Hub", name: "hub" }, /namespace must be a DNS label/],
    [{ namespace: "hub", name: "a".repeat(64) }, /service account name must be a DNS label/],
  ])("refuses %j", (account, message) => {
    expect(() => irsaTrustPolicy(PROVIDER, ISSUER, account)).toThrow(message);
  });

  it("refuses an empty or wildcard issuer", () => {
    expect(() => issuerHost("https://")).toThrow(/OIDC issuer must be a URL/);
    expect(() => issuerHost("oidc.eks.*")).toThrow(/OIDC issuer must be a URL/);
  });
});

describe("service trust policies", () => {
  it("lets EKS Fargate assume the pod execution role only for this cluster's profiles", () => {
    const policy = JSON.parse(fargatePodExecutionTrustPolicy("aws", "eu-west-1", "123456789012", "c1"));
    expect(policy.Statement[0]).toEqual({
      Effect: "Allow",
      Principal: { Service: "eks-fargate-pods.amazonaws.com" },
      Action: "sts:AssumeRole",
      Condition: { ArnLike: { "aws:SourceArn": "arn:aws:eks:eu-west-1:123456789012:fargateprofile/c1/*" } },
    });
  });

  it("has no condition when no source is given", () => {
    expect(JSON.parse(serviceTrustPolicy("ec2.amazonaws.com")).Statement[0].Condition).toBeUndefined();
  });
});

describe("clusterAutoscalerPolicy", () => {
  const statements = JSON.parse(clusterAutoscalerPolicy("sandbox-platform-dev")).Statement;

  it("reads what the AWS README lists, on any resource", () => {
    expect(statements[0]).toMatchObject({ Effect: "Allow", Resource: "*" });
    expect(statements[0].Action).toEqual(
      expect.arrayContaining(["eks:DescribeNodegroup", "ec2:DescribeInstanceTypes"]),
    );
    expect(statements[0].Action).toEqual([...AUTOSCALER_READ_ACTIONS]);
  });

  it("scales and terminates only in this cluster's worker ASGs, never the manager group", () => {
    expect(statements[1]).toEqual({
      Sid: "ScaleOwnWorkerGroupsOnly",
      Effect: "Allow",
      Action: [...AUTOSCALER_WRITE_ACTIONS],
      Resource: "*",
      Condition: {
        StringEquals: {
          "aws:ResourceTag/k8s.io/cluster-autoscaler/sandbox-platform-dev": "owned",
          "aws:ResourceTag/k8s.io/cluster-autoscaler/node-template/label/sandbox.hub/pool": "workers",
        },
      },
    });
    const writes = statements
      .flatMap((s: { Action: string[] }) => s.Action)
      .filter((a: string) => /Set|Terminate/.test(a));
    expect(writes).toEqual([...AUTOSCALER_WRITE_ACTIONS]);
  });

  it("refuses an empty cluster name", () => {
    expect(() => clusterAutoscalerPolicy("")).toThrow(/cluster name must not be empty/);
  });
});
