import { describe, expect, it } from "vitest";
import { certificateNames, dnsNameSchema, hubNamesFor, hubPlatforms } from "../stacks/hub-names";

describe("hubPlatforms", () => {
  it("is one EKS Hub for any EKS candidates and one ECS Hub", () => {
    expect(hubPlatforms(["eks-ec2"])).toEqual(["eks"]);
    expect(hubPlatforms(["eks-fargate", "eks-ec2"])).toEqual(["eks"]);
    expect(hubPlatforms(["ecs-fargate"])).toEqual(["ecs"]);
    expect(hubPlatforms(["eks-ec2", "eks-fargate", "ecs-fargate"])).toEqual(["eks", "ecs"]);
  });
});

describe("hubNamesFor", () => {
  const names = { hostname: "hub.example.com", previewDomain: "sandboxes.example.com" };

  it("is the names as configured when the stack runs one Hub", () => {
    expect(hubNamesFor(names, "ecs", ["ecs"])).toEqual(names);
    expect(hubNamesFor({}, "eks", ["eks"])).toEqual({});
  });

  it("puts each Hub under its platform's label when there are two: one name cannot lead to two load balancers", () => {
    expect(hubNamesFor(names, "eks", ["eks", "ecs"])).toEqual({
      hostname: "eks.hub.example.com",
      previewDomain: "eks.sandboxes.example.com",
    });
    expect(hubNamesFor({ previewDomain: "sandboxes.example.com" }, "ecs", ["eks", "ecs"])).toEqual({
      previewDomain: "ecs.sandboxes.example.com",
    });
  });

  it("refuses a platform the stack does not run", () => {
    expect(() => hubNamesFor(names, "ecs", ["eks"])).toThrow("this stack runs no ecs Hub");
  });
});

describe("certificateNames", () => {
  it("is what the certificate must cover: the Hub's name and the previews' wildcard", () => {
    expect(certificateNames({ hostname: "hub.example.com", previewDomain: "sandboxes.example.com" })).toEqual(
      ["hub.example.com", "*.sandboxes.example.com"],
    );
  });
});

describe("dnsNameSchema", () => {
  it.each(["hub.example.com", "a.b", "eks-1.sandboxes.example.co.uk"])("accepts %s", (name) => {
    expect(dnsNameSchema.safeParse(name).success).toBe(true);
  });

  it.each([
    "https://hub.example.com",
    "hub.example.com.",
    "*.example.com",
    "Hub.Example.com",
    "localhost",
    "hub.example.com:443",
    "-hub.example.com",
    `${"a".repeat(64)}.example.com`,
  ])("refuses %s", (name) => {
    expect(dnsNameSchema.safeParse(name).success).toBe(false);
  });
});
