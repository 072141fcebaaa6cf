/**
 * What makes the EKS stack survive its second `pulumi up`, a version upgrade and `pulumi destroy`,
 * under the mock harness: log retention that applies, CoreDNS and node groups that follow the
 * cluster's version, IAM that outlives what uses it, and ASG tags that leave EKS's own alone.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { eksOwnedAsgTagKeys } from "../../components/eks/autoscaler-tags";
import type { RecordedResource, Recorder } from "../harness/mocks";
import { runStack } from "../harness/stack";

const CLUSTER = "sandbox-platform-eks-ec2";
const VERSION = "1.33";
let recorder: Recorder;

beforeAll(async () => {
  ({ recorder } = await runStack("eks-ec2", {
    overrides: { "sandbox-platform:eks": { logRetentionDays: 7, kubernetesVersion: VERSION } },
  }));
});

const named = (type: string, name: string): RecordedResource => recorder.one(type, name);
const nodeGroups = () => recorder.ofType("eks:index:ManagedNodeGroup");

describe("eks.logRetentionDays", () => {
  it("applies to the log group EKS writes to, made before the cluster so EKS cannot make it first", () => {
    const logGroup = named("aws:cloudwatch/logGroup:LogGroup", "eks-control-plane-logs");
    expect(logGroup.inputs).toMatchObject({ name: `/aws/eks/${CLUSTER}/cluster`, retentionInDays: 7 });
    expect(recorder.waitsFor(recorder.one("eks:index:Cluster"), logGroup)).toBe(true);
  });
});

describe("following eks.kubernetesVersion", () => {
  it("gives every node group the cluster's version (the launch template names no AMI)", () => {
    expect(nodeGroups().map((g) => g.inputs.version)).toEqual([VERSION, VERSION]);
  });

  it("pins vpc-cni and coredns to EKS's default build for that version", () => {
    for (const addon of ["eks-vpc-cni", "eks-coredns-addon"]) {
      expect(named("aws:eks/addon:Addon", addon).inputs.addonVersion, addon).toBe(
        `v0.0.0-mocked-for-${VERSION}`,
      );
    }
    const asked = recorder.invokes.filter((i) => i.token === "aws:eks/getAddonVersion:getAddonVersion");
    expect(
      asked.map((i) => [i.inputs.addonName, i.inputs.kubernetesVersion, i.inputs.mostRecent]).sort(),
    ).toEqual([
      ["coredns", VERSION, false],
      ["vpc-cni", VERSION, false],
    ]);
  });
});

describe("CoreDNS as the managed add-on", () => {
  const coredns = () => named("aws:eks/addon:Addon", "eks-coredns-addon");

  it("autoscales, with a floor sized for the sandboxes the cluster holds (1001 pods: 5 replicas)", () => {
    expect(coredns().inputs).toMatchObject({
      clusterName: CLUSTER,
      addonName: "coredns",
      resolveConflictsOnCreate: "OVERWRITE",
    });
    expect(JSON.parse(coredns().inputs.configurationValues)).toEqual({
      autoScaling: { enabled: true, minReplicas: 5, maxReplicas: 10 },
    });
    expect(recorder.one("kubernetes:core/v1:ResourceQuota").inputs.spec.hard.pods).toBe("1001");
  });

  it("is made once the manager nodes exist, and pulumi-eks makes no second one", () => {
    expect(recorder.waitsFor(coredns(), named("eks:index:ManagedNodeGroup", "eks-manager-nodes"))).toBe(true);
    expect(recorder.one("eks:index:Cluster").inputs.corednsAddonOptions).toMatchObject({ enabled: false });
  });

  it("is there before the Hub, which resolves AWS endpoints from its first request", () => {
    expect(recorder.waitsFor(named("kubernetes:apps/v1:Deployment", "eks-hub-deployment"), coredns())).toBe(
      true,
    );
  });
});

describe("IAM that outlives what uses it (destroy runs in reverse dependency order)", () => {
  it("keeps the node role's policies until the node groups are gone", () => {
    const policies = [
      named("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "eks-node-AmazonEKSWorkerNodePolicy"),
      named(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "eks-node-AmazonEC2ContainerRegistryReadOnly",
      ),
      named("aws:iam/rolePolicy:RolePolicy", "eks-node-image-cache"),
    ];
    for (const group of nodeGroups()) {
      for (const policy of policies)
        expect(recorder.waitsFor(group, policy), `${group.name} -> ${policy.name}`).toBe(true);
    }
  });

  it("keeps the VPC CNI's policy until the add-on (and the ENIs it manages) are gone", () => {
    const cni = named("aws:eks/addon:Addon", "eks-vpc-cni");
    expect(
      recorder.waitsFor(
        cni,
        named("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "eks-vpc-cni-policy"),
      ),
    ).toBe(true);
  });
});

describe("the workers' ASG tags", () => {
  const tags = () => recorder.ofType("aws:autoscaling/tag:Tag");

  it("declare none of the tags EKS puts on managed node groups, so removing ours never removes EKS's", () => {
    const ours = tags().map((t) => t.inputs.tag.key);
    expect(ours.filter((key) => eksOwnedAsgTagKeys(CLUSTER).includes(key))).toEqual([]);
    expect(ours.every((key) => key.startsWith("k8s.io/cluster-autoscaler/node-template/"))).toBe(true);
  });

  it("still let the autoscaler discover the group: every tag it filters on is EKS's or ours", () => {
    const discovery: string[] = recorder.one("kubernetes:helm.sh/v3:Release").inputs.values.autoDiscovery
      .tags;
    const onTheAsg = new Set([...eksOwnedAsgTagKeys(CLUSTER), ...tags().map((t) => t.inputs.tag.key)]);
    expect(discovery.filter((key) => !onTheAsg.has(key))).toEqual([]);
  });

  it("are named by key, with their old positional names as aliases (no delete and re-create on update)", () => {
    expect(tags().map((t) => [t.name, t.aliases])).toEqual([
      ["eks-workers-asg-tag-label-sandbox-hub-pool", [{ name: "eks-workers-asg-tag-2" }]],
      ["eks-workers-asg-tag-taint-sandbox-hub-dedicated", [{ name: "eks-workers-asg-tag-3" }]],
    ]);
  });
});
