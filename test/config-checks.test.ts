/** The checks across keys: certificate and names, DNS, and whether warm pools fit where they run. */
import { describe, expect, it } from "vitest";
import { parseStackConfig, type RawStackConfig } from "../stacks/config";
import { fargateVcpuOf } from "../stacks/config-checks";

const CERT = "arn:aws:acm:eu-west-1:123456789012:certificate/abc";
const parse = (raw: RawStackConfig) => () => parseStackConfig(raw);

describe("names and certificates", () => {
  it("accepts a name, a preview domain, a zone and a certificate together", () => {
    const config = parseStackConfig({
      candidates: ["ecs-fargate"],
      ecs: { certificateArn: CERT },
      hub: { hostname: "hub.example.com", previewDomain: "sandboxes.example.com", route53ZoneId: "Z0123ABC" },
    });
    expect(config.hub.previewDomain).toBe("sandboxes.example.com");
  });

  it("refuses a certificate without hub.hostname: no certificate covers the load balancer's own name", () => {
    expect(parse({ candidates: ["eks-ec2"], eks: { certificateArn: CERT } })).toThrow(
      /sandbox-platform:eks\.certificateArn: needs hub\.hostname/,
    );
  });

  it("refuses a preview domain without each Hub's certificate", () => {
    expect(
      parse({
        candidates: ["eks-ec2", "ecs-fargate"],
        eks: { certificateArn: CERT },
        hub: { hostname: "hub.example.com", previewDomain: "sandboxes.example.com" },
      }),
    ).toThrow(
      /sandbox-platform:hub\.previewDomain: needs ecs\.certificateArn, a certificate covering \*\.sandboxes\.example\.com/,
    );
  });

  it("refuses a zone with nothing to record", () => {
    expect(parse({ candidates: ["eks-ec2"], hub: { route53ZoneId: "Z0123ABC" } })).toThrow(
      /sandbox-platform:hub\.route53ZoneId: has nothing to record/,
    );
  });

  it("refuses a zone id that is not one", () => {
    expect(
      parse({ candidates: ["eks-ec2"], hub: { hostname: "hub.example.com", route53ZoneId: "example.com" } }),
    ).toThrow(/sandbox-platform:hub\.route53ZoneId: must be a Route 53 hosted zone id/);
  });
});

describe("warm pools", () => {
  it("refuses pools for a candidate the stack does not deploy", () => {
    expect(parse({ candidates: ["eks-ec2"], hub: { warmPools: { "ecs-fargate": [{ size: 2 }] } } })).toThrow(
      /sandbox-platform:hub\.warmPools\.ecs-fargate: this stack does not deploy ecs-fargate \(candidates: eks-ec2\)/,
    );
  });

  it("refuses two pools of one shape, defaults filled in", () => {
    expect(
      parse({
        candidates: ["ecs-fargate"],
        hub: { sandboxCpu: 0.25, warmPools: { "ecs-fargate": [{ size: 2 }, { cpu: 0.25, size: 3 }] } },
      }),
    ).toThrow(/hub\.warmPools\.ecs-fargate\[1\]: has the same image, cpu and memory as pool 0/);
  });

  it("refuses more members than one Hub keeps, counting every EKS candidate's pools together", () => {
    expect(
      parse({
        candidates: ["eks-ec2", "eks-fargate"],
        eks: { workerMax: 1000 },
        hub: { warmPools: { "eks-ec2": [{ size: 600 }], "eks-fargate": [{ size: 500 }] } },
      }),
    ).toThrow(
      /the eks Hub would keep 1100 warm members \(eks-ec2 \+ eks-fargate\); one Hub keeps at most 1000/,
    );
  });

  it("accepts EC2 members that leave workers for students, and refuses those that fill eks.workerMax", () => {
    // m6i.2xlarge holds 77 sandboxes of 0.1 vCPU; 90 placeholders (1 create/s x 90 s) fill 1.17 workers.
    expect(
      parse({ candidates: ["eks-ec2"], hub: { warmPools: { "eks-ec2": [{ size: 800 }] } } }),
    ).not.toThrow();
    expect(parse({ candidates: ["eks-ec2"], hub: { warmPools: { "eks-ec2": [{ size: 900 }] } } })).toThrow(
      /hub\.warmPools\.eks-ec2: 900 warm members and 90 placeholders .* fill 13 m6i\.2xlarge workers, leaving none of eks\.workerMax 13/,
    );
  });

  it("refuses an EC2 member bigger than a worker, naming the pool", () => {
    expect(
      parse({
        candidates: ["eks-ec2"],
        eks: { workerInstanceType: "t3.medium" },
        hub: { warmPools: { "eks-ec2": [{ cpu: 4, size: 1 }] } },
      }),
    ).toThrow(/hub\.warmPools\.eks-ec2\[0\]: /);
  });

  it("refuses Fargate members and Hub tasks that take all of hub.fargateVcpuQuota", () => {
    // Ten members of 0.1 vCPU run as 0.25 vCPU each (2.5) and two Hub tasks of 0.5 vCPU (1).
    expect(parse({ candidates: ["ecs-fargate"], hub: { fargateVcpuQuota: 4 } })).not.toThrow();
    expect(parse({ candidates: ["ecs-fargate"], hub: { fargateVcpuQuota: 3 } })).toThrow(
      /hub\.warmPools: warm members on Fargate hold 2\.5 vCPU and the ECS Hub's tasks 1, leaving nothing of hub\.fargateVcpuQuota 3/,
    );
  });
});

describe("fargateVcpuOf", () => {
  it("rounds up to a Fargate size, and EKS adds 256 MiB per pod first", () => {
    expect(fargateVcpuOf("ecs-fargate", 0.1, 128)).toBe(0.25);
    // 0.25 vCPU goes up to 2 GiB: 1900 + 256 MiB needs the next size, 0.5 vCPU.
    expect(fargateVcpuOf("ecs-fargate", 0.25, 1900)).toBe(0.25);
    expect(fargateVcpuOf("eks-fargate", 0.25, 1900)).toBe(0.5);
  });
});
