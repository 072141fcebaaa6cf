/**
 * The sandbox platform's policy pack. This file only composes; each policy lives in its module and is
 * tested on its own (policy/test). Run it with `pulumi preview --policy-pack policy`, or offline against
 * a stack's mocked plan with `npm run policy -- <stack>` (docs/policy.md).
 */
import { PolicyPack } from "@pulumi/policy";
import { hygienePolicies } from "./hygiene";
import { isolationPolicies } from "./isolation";
import { leastPrivilegePolicies } from "./least-privilege";
import { platformPolicies } from "./platform";

new PolicyPack("sandbox-platform", {
  enforcementLevel: "mandatory",
  policies: [...isolationPolicies, ...leastPrivilegePolicies, ...hygienePolicies, ...platformPolicies],
});
