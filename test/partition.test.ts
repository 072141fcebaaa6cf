/** In aws-us-gov (or aws-cn) nothing the program makes may name the `aws` partition: those ARNs do not exist there. */
import { beforeAll, describe, expect, it } from "vitest";
import type { Recorder } from "./harness/mocks";
import { runStack } from "./harness/stack";

const PARTITION = "aws-us-gov";
const ADMIN = `arn:${PARTITION}:iam::123456789012:role/platform-admin`;
let recorder: Recorder;

beforeAll(async () => {
  ({ recorder } = await runStack("dev", {
    partition: PARTITION,
    overrides: { "sandbox-platform:eks": { adminRoleArn: ADMIN } },
  }));
});

/** Every string inside a value, with the path it sits at. */
function strings(value: unknown, path: string): [string, string][] {
  if (typeof value === "string") {
    // Policy documents and container definitions travel as JSON strings.
    if (/^[[{]/.test(value)) {
      try {
        return strings(JSON.parse(value), path);
      } catch {
        return [[path, value]];
      }
    }
    return [[path, value]];
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => strings(item, `${path}[${i}]`));
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([key, item]) => strings(item, `${path}.${key}`));
  }
  return [];
}

describe(`the dev stack in ${PARTITION}`, () => {
  it("gives the admin role cluster-admin through the partition's own access policy", () => {
    const entry = recorder.one("eks:index:Cluster").inputs.accessEntries.admin;
    expect(entry.accessPolicies.clusterAdmin.policyArn).toBe(
      `arn:${PARTITION}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`,
    );
  });

  it("names no ARN of the aws partition in any resource", () => {
    const found = recorder.resources.flatMap((r) =>
      strings(r.inputs, `${r.type} ${r.name}`).filter(([, text]) => text.includes("arn:aws:")),
    );
    expect(found).toEqual([]);
    expect(recorder.resources.length).toBeGreaterThan(100);
  });
});
