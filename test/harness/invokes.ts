/**
 * Answers for the provider functions (invokes) the program calls. An invoke not listed here
 * fails the run with `Mock not implemented: <token>`, so a new data source cannot slip in unseen.
 */
import { MOCK_ACCOUNT, MOCK_REGION, mockPartition, type Inputs } from "./remote-stubs";

/** Each partition's DNS suffix (AWS General Reference, "AWS service endpoints"). */
const DNS_SUFFIXES: Record<string, string> = {
  aws: "amazonaws.com",
  "aws-us-gov": "amazonaws.com",
  "aws-cn": "amazonaws.com.cn",
};

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
    arn: `arn:${mockPartition.name}:iam::${MOCK_ACCOUNT}:user/mocked`,
    userId: "MOCKED",
  }),
  "aws:index/getPartition:getPartition": () => ({
    partition: mockPartition.name,
    dnsSuffix: DNS_SUFFIXES[mockPartition.name] ?? "amazonaws.com",
    id: mockPartition.name,
  }),
  // A made-up build of the add-on for the version asked, so tests see which version was asked for.
  "aws:eks/getAddonVersion:getAddonVersion": (inputs) => ({
    ...inputs,
    id: inputs.addonName,
    version: `v0.0.0-mocked-for-${inputs.kubernetesVersion}`,
  }),
  "aws:index/getAvailabilityZones:getAvailabilityZones": () => ({
    names: ["a", "b", "c"].map((z) => `${MOCK_REGION}${z}`),
    zoneIds: ["euw1-az1", "euw1-az2", "euw1-az3"],
  }),
  "aws:iam/getPolicyDocument:getPolicyDocument": policyDocument,
  // The mocked account's hosted zones: Z0MOCKEDEXAMPLE is example.com.
  "aws:route53/getZone:getZone": (inputs) => {
    const zones: Record<string, string> = { Z0MOCKEDEXAMPLE: "example.com." };
    const name = zones[inputs.zoneId];
    if (name === undefined) throw new Error(`no hosted zone ${inputs.zoneId} in the mocked account`);
    return { ...inputs, id: inputs.zoneId, name };
  },
};
