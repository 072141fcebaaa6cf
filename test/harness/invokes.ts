/**
 * Answers for the provider functions (invokes) the program calls. An invoke not listed here
 * fails the run with `Mock not implemented: <token>`, so a new data source cannot slip in unseen.
 */
import { MOCK_ACCOUNT, MOCK_REGION, type Inputs } from "./remote-stubs";

type Invoke = (inputs: Inputs) => Inputs;

/** aws.iam.getPolicyDocument, done for real: statements in, IAM JSON out, so tests read real policies. */
function policyDocument(inputs: Inputs): Inputs {
  const statements = (inputs.statements ?? []).map((s: Inputs) => {
    const out: Inputs = { Effect: s.effect ?? "Allow" };
    if (s.sid) out.Sid = s.sid;
    if (s.actions) out.Action = s.actions;
    if (s.notActions) out.NotAction = s.notActions;
    if (s.resources) out.Resource = s.resources;
    if (s.principals) {
      out.Principal = Object.fromEntries(s.principals.map((p: Inputs) => [p.type, p.identifiers]));
    }
    if (s.conditions) {
      out.Condition = {};
      for (const c of s.conditions)
        out.Condition[c.test] = { ...out.Condition[c.test], [c.variable]: c.values };
    }
    return out;
  });
  return { json: JSON.stringify({ Version: "2012-10-17", Statement: statements }) };
}

export const INVOKES: Record<string, Invoke> = {
  "aws:index/getRegion:getRegion": () => ({ id: MOCK_REGION, name: MOCK_REGION, region: MOCK_REGION }),
  "aws:index/getCallerIdentity:getCallerIdentity": () => ({
    accountId: MOCK_ACCOUNT,
    arn: `arn:aws:iam::${MOCK_ACCOUNT}:user/mocked`,
    userId: "MOCKED",
  }),
  "aws:index/getPartition:getPartition": () => ({ partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" }),
  "aws:index/getAvailabilityZones:getAvailabilityZones": () => ({
    names: ["a", "b", "c"].map((z) => `${MOCK_REGION}${z}`),
    zoneIds: ["euw1-az1", "euw1-az2", "euw1-az3"],
  }),
  "aws:iam/getPolicyDocument:getPolicyDocument": policyDocument,
};
