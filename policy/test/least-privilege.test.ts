import { describe, expect, it } from "vitest";
import { clusterAutoscalerPolicy } from "../../components/eks/autoscaler-policy";
import { irsaTrustPolicy, serviceTrustPolicy } from "../../components/eks/trust-policies";
import { iamNoWildcards } from "../least-privilege/iam-wildcards";
import { irsaTrustPinned } from "../least-privilege/irsa-trust";
import { iamPassRoleScoped } from "../least-privilege/pass-role";
import { T } from "../lib/types";
import { ecsStack } from "./ecs-fixture";
import { checkResource, messagesOf, resourceArgs } from "./policy-args";

const inline = (...Statement: object[]) =>
  resourceArgs(T.rolePolicy, { role: "r", policy: JSON.stringify({ Version: "2012-10-17", Statement }) });

describe("iam-no-wildcard-on-every-resource", () => {
  it("passes cluster-autoscaler's policy (named read actions on *, writes under a tag condition) and the Hub's", async () => {
    expect(
      messagesOf(
        await checkResource(iamNoWildcards, inline(...JSON.parse(clusterAutoscalerPolicy("c")).Statement)),
      ),
    ).toEqual([]);
    const hubPolicy = ecsStack().hubPolicy.props.policy as string;
    expect(
      messagesOf(await checkResource(iamNoWildcards, resourceArgs(T.rolePolicy, { policy: hubPolicy }))),
    ).toEqual([]);
  });

  it("fails *, service:* and NotAction on Resource *, and passes service:* once a condition scopes it", async () => {
    const outcome = await checkResource(
      iamNoWildcards,
      inline(
        { Sid: "Admin", Effect: "Allow", Action: "*", Resource: "*" },
        { Effect: "Allow", Action: ["ecs:*"], Resource: ["*"] },
        { Effect: "Allow", NotAction: "iam:*", Resource: "*" },
        {
          Effect: "Allow",
          Action: "ecs:*",
          Resource: "*",
          Condition: { ArnEquals: { "ecs:cluster": "arn:x" } },
        },
        { Effect: "Deny", Action: "*", Resource: "*" },
        { Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::bucket/*" },
      ),
    );
    expect(messagesOf(outcome)).toEqual([
      expect.stringMatching(/policy statement Admin allows \* on every resource\. Fix:/),
      expect.stringContaining("statement 1 allows ecs:* on every resource"),
      expect.stringContaining("statement 2 allows every action but a few (NotAction)"),
    ]);
  });

  it("fails a wildcard in a role's inline policies and an attached AdministratorAccess", async () => {
    const role = resourceArgs(T.role, {
      inlinePolicies: [
        {
          name: "x",
          policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }),
        },
      ],
      managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"],
    });
    expect(messagesOf(await checkResource(iamNoWildcards, role))).toEqual([
      expect.stringContaining("inlinePolicies[0].policy statement 0 allows *"),
      expect.stringContaining("attaches the AWS managed policy AdministratorAccess"),
    ]);
    const attachment = resourceArgs(T.rolePolicyAttachment, {
      role: "r",
      policyArn: "arn:aws-us-gov:iam::aws:policy/PowerUserAccess",
    });
    expect(messagesOf(await checkResource(iamNoWildcards, attachment))).toEqual([
      expect.stringContaining("PowerUserAccess"),
    ]);
  });
});

describe("iam-passrole-scoped", () => {
  it("passes the Hub's PassRole: the two sandbox roles, to ecs-tasks only", async () => {
    const hubPolicy = ecsStack().hubPolicy.props.policy as string;
    expect(
      messagesOf(await checkResource(iamPassRoleScoped, resourceArgs(T.rolePolicy, { policy: hubPolicy }))),
    ).toEqual([]);
  });

  it("fails PassRole on *, on role/*, through iam:*, and without iam:PassedToService", async () => {
    const outcome = await checkResource(
      iamPassRoleScoped,
      inline(
        {
          Effect: "Allow",
          Action: "iam:PassRole",
          Resource: "*",
          Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
        },
        {
          Effect: "Allow",
          Action: "iam:PassRole",
          Resource: "arn:aws:iam::1:role/*",
          Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
        },
        { Effect: "Allow", Action: "iam:*", Resource: "arn:aws:iam::1:role/a" },
        {
          Effect: "Allow",
          Action: "iam:passrole",
          Resource: "arn:aws:iam::1:role/a",
          Condition: { StringLike: { "iam:PassedToService": "*" } },
        },
        { Effect: "Allow", Action: "iam:GetRole", Resource: "*" },
      ),
    );
    expect(messagesOf(outcome)).toEqual([
      expect.stringMatching(/statement 0 allows iam:PassRole with Resource is "\*", not named roles\. Fix:/),
      expect.stringContaining('statement 1 allows iam:PassRole with Resource is "arn:aws:iam::1:role/*"'),
      expect.stringContaining(
        "statement 2 allows iam:PassRole with no StringEquals condition on iam:PassedToService",
      ),
      expect.stringContaining("statement 3 allows iam:PassRole with no StringEquals"),
    ]);
  });
});

describe("irsa-trust-pinned", () => {
  const provider = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC";
  const issuer = "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC";
  const role = (assumeRolePolicy: string) => resourceArgs(T.role, { assumeRolePolicy });

  it("passes the trust policies the components build, IRSA and service ones", async () => {
    const irsa = irsaTrustPolicy(provider, issuer, { namespace: "hub", name: "hub" });
    expect(messagesOf(await checkResource(irsaTrustPinned, role(irsa)))).toEqual([]);
    expect(
      messagesOf(await checkResource(irsaTrustPinned, role(serviceTrustPolicy("ec2.amazonaws.com")))),
    ).toEqual([]);
  });

  it("fails a trust with sub under StringLike, without aud, or pinned to another issuer", async () => {
    const host = "oidc.eks.eu-west-1.amazonaws.com/id/ABC";
    const trust = (Condition: object) =>
      role(
        JSON.stringify({
          Statement: [
            {
              Effect: "Allow",
              Principal: { Federated: provider },
              Action: "sts:AssumeRoleWithWebIdentity",
              Condition,
            },
          ],
        }),
      );
    const cases = [
      {
        StringLike: { [`${host}:sub`]: "system:serviceaccount:hub:*", [`${host}:aud`]: "sts.amazonaws.com" },
      },
      { StringEquals: { [`${host}:sub`]: "system:serviceaccount:hub:hub" } },
      {
        StringEquals: {
          "oidc.eks.eu-west-1.amazonaws.com/id/OTHER:sub": "system:serviceaccount:hub:hub",
          [`${host}:aud`]: "sts.amazonaws.com",
        },
      },
    ];
    const expected = [
      /no StringEquals on .*:sub.*Fix: .*irsaTrustPolicy/,
      /no StringEquals .*:aud = sts.amazonaws.com/,
      /no StringEquals on oidc.eks.eu-west-1.amazonaws.com\/id\/ABC:sub/,
    ];
    for (const [index, condition] of cases.entries()) {
      expect(messagesOf(await checkResource(irsaTrustPinned, trust(condition)))).toEqual([
        expect.stringMatching(expected[index]!),
      ]);
    }
  });
});
