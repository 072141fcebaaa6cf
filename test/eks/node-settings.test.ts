import { describe, expect, it } from "vitest";
import { fargateSelectors } from "../../components/eks/fargate-sandboxes";
import { nodeLaunchTemplateSettings } from "../../components/eks/launch-template";
import { nodeConfigUserData } from "../../components/eks/node-user-data";
import { vpcCniConfigurationValues } from "../../components/eks/vpc-cni";
import { eksClusterName } from "../../stacks/eks/cluster-name";

describe("nodeConfigUserData", () => {
  it("is a MIME multi-part nodeadm NodeConfig setting kubelet maxPods", () => {
    const text = Buffer.from(nodeConfigUserData(110), "base64").toString("utf8");
    expect(text).toContain("Content-Type: application/node.eks.aws");
    expect(text).toContain("kind: NodeConfig");
    expect(text).toMatch(/kubelet:\n {4}config:\n {6}maxPods: 110\n/);
    const boundary = /boundary="([^"]+)"/.exec(text)?.[1];
    expect(text.trimEnd().endsWith(`--${boundary}--`)).toBe(true);
  });

  it.each([0, -5, 1.5])("refuses maxPods %s", (maxPods) => {
    expect(() => nodeConfigUserData(maxPods)).toThrow(/maxPods must be a whole number of at least 1/);
  });
});

describe("nodeLaunchTemplateSettings", () => {
  it("requires IMDSv2 with hop limit 1 and an encrypted gp3 root volume", () => {
    const settings = nodeLaunchTemplateSettings(58, 100);
    expect(settings.metadataOptions).toEqual({
      httpEndpoint: "enabled",
      httpTokens: "required",
      httpPutResponseHopLimit: 1,
    });
    expect(settings.blockDeviceMappings[0]!.ebs).toMatchObject({
      volumeSize: 100,
      volumeType: "gp3",
      encrypted: "true",
    });
  });

  it("refuses a root volume under 20 GiB", () => {
    expect(() => nodeLaunchTemplateSettings(58, 10)).toThrow(/at least 20, got 10/);
  });
});

describe("vpcCniConfigurationValues", () => {
  it("turns on prefix delegation with one warm prefix and strict network policy enforcement", () => {
    expect(JSON.parse(vpcCniConfigurationValues({ prefixDelegation: true, networkPolicy: true }))).toEqual({
      env: {
        ENABLE_PREFIX_DELEGATION: "true",
        WARM_PREFIX_TARGET: "1",
        NETWORK_POLICY_ENFORCING_MODE: "strict",
      },
      enableNetworkPolicy: "true",
    });
  });

  it("leaves the CNI in IP mode when prefix delegation is off", () => {
    expect(JSON.parse(vpcCniConfigurationValues({ prefixDelegation: false, networkPolicy: false }))).toEqual({
      env: {},
      enableNetworkPolicy: "false",
    });
  });
});

describe("fargateSelectors", () => {
  it("selects the whole namespace when Fargate is the only placement", () => {
    expect(fargateSelectors("sandboxes", false)).toEqual([{ namespace: "sandboxes" }]);
  });

  it("selects only pods labelled for Fargate when EC2 workers share the cluster", () => {
    expect(fargateSelectors("sandboxes", true)).toEqual([
      { namespace: "sandboxes", labels: { "sandbox.hub/placement": "fargate" } },
    ]);
  });

  it("refuses an empty namespace", () => {
    expect(() => fargateSelectors("", false)).toThrow(/needs a namespace/);
  });
});

describe("eksClusterName", () => {
  it("joins project and stack", () => {
    expect(eksClusterName("sandbox-platform", "eks-ec2")).toBe("sandbox-platform-eks-ec2");
  });

  it("refuses names EKS would reject", () => {
    expect(() => eksClusterName("sandbox platform", "dev")).toThrow(/must be 1-100 letters, digits/);
    expect(() => eksClusterName("p", "x".repeat(100))).toThrow(/must be 1-100/);
  });
});
