import { describe, expect, it } from "vitest";
import { redactComputed, renderPlan } from "../scripts/plan-tree";
import type { RecordedResource } from "./harness/mocks";

const resource = (
  partial: Partial<RecordedResource> & Pick<RecordedResource, "type" | "name">,
): RecordedResource => ({
  inputs: {},
  custom: true,
  ...partial,
});

describe("renderPlan", () => {
  const resources: RecordedResource[] = [
    resource({ type: "hub:network:Network", name: "net", custom: false, urn: "urn:net" }),
    resource({
      type: "aws:ec2/vpc:Vpc",
      name: "net-vpc",
      urn: "urn:vpc",
      parentUrn: "urn:net",
      inputs: { cidrBlock: "10.0.0.0/16", ownerId: "mocked::x" },
    }),
    resource({ type: "pulumi:providers:aws", name: "default", urn: "urn:provider" }),
  ];

  it("nests children under their parent and shows computed values as such", () => {
    const text = renderPlan(resources, { full: false });
    expect(text).toContain("hub:network:Network  net (component)\n  aws:ec2/vpc:Vpc  net-vpc");
    expect(text).toContain('cidrBlock: "10.0.0.0/16"');
    expect(text).toContain('ownerId: "<computed>"');
  });

  it("leaves default providers out of the tree and counts resources by type", () => {
    const text = renderPlan(resources, { full: false });
    expect(text).not.toContain("pulumi:providers:aws");
    expect(text).toContain("2 resources:");
  });

  it("cuts long values unless asked for everything", () => {
    const long = [resource({ type: "t", name: "n", inputs: { policy: "x".repeat(500) } })];
    expect(renderPlan(long, { full: false })).toContain("...");
    expect(renderPlan(long, { full: true })).not.toContain("...");
  });
});

describe("redactComputed", () => {
  it("walks arrays and objects", () => {
    expect(redactComputed({ a: ["mocked-sg", "sg-real"], b: { c: 1 } })).toEqual({
      a: ["<computed>", "sg-real"],
      b: { c: 1 },
    });
  });
});
