import { describe, expect, it } from "vitest";
import { CONTROL_PLANE_LOG_TYPES } from "../../components/eks/eks-cluster";
import {
  eksControlPlaneLogged,
  eksEndpointRestricted,
  eksSecretsEncrypted,
} from "../hygiene/eks-control-plane";
import { T } from "../lib/types";
import { checkResource, messagesOf, resourceArgs, TestStack, UNKNOWN } from "./policy-args";

/** An eks:index:Cluster as EksCluster declares it, with its key and control-plane log group. */
function clusterStack(
  options: { rotation?: boolean; retention?: number; ordered?: boolean; logTypes?: string[] } = {},
) {
  const stack = new TestStack();
  const key = stack.add(T.kmsKey, "eks-secrets-key", { enableKeyRotation: options.rotation ?? true });
  const logs = stack.add(T.logGroup, "eks-control-plane-logs", {
    name: "/aws/eks/sandbox-platform-dev/cluster",
    retentionInDays: options.retention ?? 30,
  });
  const component = stack.add("hub:eks:EksCluster", "eks", {});
  const cluster = stack.add(
    T.eksComponentCluster,
    "eks-cluster",
    {
      name: "sandbox-platform-dev",
      enabledClusterLogTypes: options.logTypes ?? CONTROL_PLANE_LOG_TYPES,
      encryptionConfigKeyArn: "arn:aws:kms:eu-west-1:1:key/k",
      endpointPublicAccess: true,
      publicAccessCidrs: ["203.0.113.0/24"],
    },
    {
      parent: component,
      from: { encryptionConfigKeyArn: [key] },
      dependsOn: options.ordered === false ? [] : [logs],
    },
  );
  return { stack, key, logs, cluster };
}

describe("eks-secrets-encrypted-rotating-key", () => {
  it("passes a cluster whose secrets key is declared here and rotates", async () => {
    expect(await clusterStack().stack.check(eksSecretsEncrypted)).toEqual({ violations: [] });
  });

  it("fails a key without rotation, on the key", async () => {
    const { stack, key } = clusterStack({ rotation: false });
    expect((await stack.check(eksSecretsEncrypted)).violations).toEqual([
      { urn: key.urn, message: expect.stringContaining("does not rotate") },
    ]);
  });

  it("fails a cluster without secrets encryption, and one with a key from elsewhere", async () => {
    const stack = new TestStack();
    stack.add(T.eksCluster, "raw", {
      name: "x",
      encryptionConfig: { resources: ["configmaps"], provider: { keyArn: "k" } },
    });
    stack.add(T.eksComponentCluster, "foreign", {
      name: "y",
      encryptionConfigKeyArn: "arn:aws:kms:eu-west-1:1:key/elsewhere",
    });
    expect(messagesOf(await stack.check(eksSecretsEncrypted))).toEqual([
      expect.stringContaining('"raw" does not encrypt Kubernetes secrets'),
      expect.stringContaining('"foreign" uses a KMS key this program does not declare'),
    ]);
  });
});

describe("eks-control-plane-logs-retained", () => {
  it("passes every log type into a group created first with a retention", async () => {
    expect(await clusterStack().stack.check(eksControlPlaneLogged)).toEqual({ violations: [] });
  });

  it("fails missing audit logs, a group EKS would make itself, no retention, and a cluster that does not wait", async () => {
    const missingAudit = clusterStack({ logTypes: ["api", "authenticator"] });
    expect(messagesOf(await missingAudit.stack.check(eksControlPlaneLogged))).toEqual([
      expect.stringContaining("does not log audit"),
    ]);

    const noGroup = new TestStack();
    noGroup.add(T.eksComponentCluster, "eks-cluster", {
      name: "c",
      enabledClusterLogTypes: CONTROL_PLANE_LOG_TYPES,
    });
    expect(messagesOf(await noGroup.check(eksControlPlaneLogged))).toEqual([
      expect.stringMatching(/EKS would create its log group itself.*\/aws\/eks\/c\/cluster/),
    ]);

    const forever = clusterStack({ retention: 0 });
    expect((await forever.stack.check(eksControlPlaneLogged)).violations).toEqual([
      { urn: forever.logs.urn, message: expect.stringContaining("keeps the control-plane logs forever") },
    ]);

    const unordered = clusterStack({ ordered: false });
    expect(messagesOf(await unordered.stack.check(eksControlPlaneLogged))).toEqual([
      expect.stringContaining("does not wait for"),
    ]);
  });

  it("accepts the wait from a component above the cluster (pulumi-eks creates aws:eks/cluster inside eks:index:Cluster)", async () => {
    const { stack, cluster } = clusterStack();
    stack.add(
      T.eksCluster,
      "eks-cluster-eksCluster",
      { name: "sandbox-platform-dev", enabledClusterLogTypes: CONTROL_PLANE_LOG_TYPES },
      { parent: cluster },
    );
    expect(await stack.check(eksControlPlaneLogged)).toEqual({ violations: [] });
  });
});

describe("eks-public-endpoint-restricted (advisory)", () => {
  it("is advisory, passes named networks and a private-only endpoint, and flags 0.0.0.0/0 or no list", async () => {
    expect(eksEndpointRestricted.enforcementLevel).toBe("advisory");
    const check = async (type: string, props: Record<string, unknown>) =>
      messagesOf(await checkResource(eksEndpointRestricted, resourceArgs(type, props)));
    expect(await check(T.eksComponentCluster, { publicAccessCidrs: ["203.0.113.0/24"] })).toEqual([]);
    expect(await check(T.eksComponentCluster, { endpointPublicAccess: false })).toEqual([]);
    expect(await check(T.eksComponentCluster, { publicAccessCidrs: ["0.0.0.0/0"] })).toEqual([
      expect.stringContaining("from anywhere"),
    ]);
    expect(await check(T.eksCluster, { vpcConfig: { subnetIds: [] } })).toEqual([
      expect.stringContaining("from anywhere"),
    ]);
  });

  it("cannot judge CIDRs not known yet", async () => {
    const outcome = await checkResource(
      eksEndpointRestricted,
      resourceArgs(T.eksComponentCluster, { publicAccessCidrs: UNKNOWN }),
    );
    expect(outcome.unknown).toBeDefined();
  });
});
