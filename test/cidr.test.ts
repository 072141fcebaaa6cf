import { describe, expect, it } from "vitest";
import { ipv4CidrProblem } from "../stacks/cidr";
import { parseStackConfig } from "../stacks/config";

describe("ipv4CidrProblem", () => {
  it.each(["10.0.0.0/16", "0.0.0.0/0", "203.0.113.7/32", "172.16.0.0/12"])("accepts %s", (cidr) => {
    expect(ipv4CidrProblem(cidr)).toBeUndefined();
  });

  it.each([
    ["10.0.0.0", /must be an IPv4 CIDR/],
    ["999.1.2.3/16", /address part over 255/],
    ["10.0.0.0/33", /prefix length over 32/],
    ["10.0.0.5/16", /host bits set: the network is 10\.0\.0\.0\/16/],
    ["192.168.1.130/25", /the network is 192\.168\.1\.128\/25/],
  ])("refuses %s", (cidr, message) => {
    expect(ipv4CidrProblem(cidr)).toMatch(message);
  });
});

describe("CIDRs in the stack config", () => {
  const withNetwork = (network: Record<string, unknown>) => () =>
    parseStackConfig({ candidates: ["eks-ec2"], network });

  it("names the key and the value for a bad VPC range", () => {
    expect(withNetwork({ vpcCidr: "999.1.2.3/99" })).toThrow(
      /sandbox-platform:network\.vpcCidr: has an address part over 255 \(got "999\.1\.2\.3\/99"\)/,
    );
    expect(withNetwork({ vpcCidr: "10.0.0.0/28" })).toThrow(
      /sandbox-platform:network\.vpcCidr: must have a prefix length from \/16 to \/20/,
    );
  });

  it("checks every API access range", () => {
    expect(() =>
      parseStackConfig({ candidates: ["eks-ec2"], eks: { publicAccessCidrs: ["10.0.0.0/33"] } }),
    ).toThrow(/sandbox-platform:eks\.publicAccessCidrs\[0\]: has a prefix length over 32/);
  });
});
