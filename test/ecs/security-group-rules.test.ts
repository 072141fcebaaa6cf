import { describe, expect, it } from "vitest";
import { hubRules, loadBalancerRules, sandboxRules } from "../../components/ecs/security-group-rules";

describe("loadBalancerRules", () => {
  const rules = loadBalancerRules({ listenerPorts: [80, 443], hubSecurityGroupId: "sg-hub", hubPort: 8080 });

  it("accepts clients on each listener port only", () => {
    expect(rules.filter((r) => r.direction === "ingress").map((r) => [r.protocol, r.port, r.peer])).toEqual([
      ["tcp", 80, { cidrIpv4: "0.0.0.0/0" }],
      ["tcp", 443, { cidrIpv4: "0.0.0.0/0" }],
    ]);
  });

  it("sends only to the Hub's port on the Hub's security group", () => {
    expect(rules.filter((r) => r.direction === "egress").map((r) => [r.protocol, r.port, r.peer])).toEqual([
      ["tcp", 8080, { securityGroupId: "sg-hub" }],
    ]);
  });
});

describe("hubRules", () => {
  const rules = hubRules({ loadBalancerSecurityGroupId: "sg-lb", hubPort: 8080 });

  it("accepts traffic from its load balancer only, on its port", () => {
    expect(rules.filter((r) => r.direction === "ingress").map((r) => [r.protocol, r.port, r.peer])).toEqual([
      ["tcp", 8080, { securityGroupId: "sg-lb" }],
    ]);
  });

  it("may reach AWS APIs and sandboxes", () => {
    expect(rules.filter((r) => r.direction === "egress").map((r) => [r.protocol, r.peer])).toEqual([
      ["-1", { cidrIpv4: "0.0.0.0/0" }],
    ]);
  });
});

describe("sandboxRules", () => {
  const rules = sandboxRules({ hubSecurityGroupId: "sg-hub" });

  it("accepts connections from the Hub's security group and nothing else", () => {
    const ingress = rules.filter((r) => r.direction === "ingress");
    expect(ingress.map((r) => r.peer)).toEqual([{ securityGroupId: "sg-hub" }]);
    expect(ingress.some((r) => "cidrIpv4" in r.peer)).toBe(false);
  });

  it("goes out to the internet (packages, ECS Exec's outbound channel)", () => {
    expect(rules.filter((r) => r.direction === "egress").map((r) => [r.protocol, r.peer])).toEqual([
      ["-1", { cidrIpv4: "0.0.0.0/0" }],
    ]);
  });

  it("gives every rule a distinct resource name and a description", () => {
    const all = [...rules, ...hubRules({ loadBalancerSecurityGroupId: "l", hubPort: 1 })];
    expect(new Set(rules.map((r) => r.role)).size).toBe(rules.length);
    expect(all.every((r) => r.description.length > 0)).toBe(true);
  });
});
