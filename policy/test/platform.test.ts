import { describe, expect, it } from "vitest";
import { allocatable, maxPodsPerNode } from "../../components/eks/instance-types";
import { nodeConfigUserData } from "../../components/eks/node-user-data";
import { sandboxesPerNode } from "../../components/kubernetes/headroom";
import { helmChartsPinned } from "../platform/helm-pinned";
import { placeholderPriorityAtCutoff } from "../platform/placeholder-priority";
import { EKS_NODE_DAEMONS, podsPerNode, workerCapacityKept } from "../platform/worker-capacity";
import { kubeletMaxPods, prefixDelegation, workerGroups } from "../platform/worker-groups";
import { Unknowns } from "../lib/unknowns";
import { T } from "../lib/types";
import { eksStack, SANDBOX_SIZE } from "./eks-fixture";
import { checkResource, messagesOf, resourceArgs } from "./policy-args";

describe("placeholder-priority-at-or-above-cutoff", () => {
  it("passes placeholders at -10 with the autoscaler's cutoff at -10", async () => {
    expect(await eksStack().stack.check(placeholderPriorityAtCutoff)).toEqual({ violations: [] });
  });

  it("fails a hand-edited class below the cutoff: the FAQ's silent no-scale-up", async () => {
    const { stack, priorityClass } = eksStack();
    priorityClass.props.value = -1000;
    expect((await stack.check(placeholderPriorityAtCutoff)).violations).toEqual([
      {
        urn: priorityClass.urn,
        message: expect.stringMatching(
          /value -1000, below --expendable-pods-priority-cutoff -10.*never add a node\. Fix: value -10/,
        ),
      },
    ]);
  });

  it("reads the cutoff from the autoscaler's Helm values, so raising it there catches the class", async () => {
    const { stack, autoscaler } = eksStack();
    autoscaler.props.values.extraArgs["expendable-pods-priority-cutoff"] = -5;
    expect(messagesOf(await stack.check(placeholderPriorityAtCutoff))).toEqual([
      expect.stringContaining("below --expendable-pods-priority-cutoff -5"),
    ]);
  });

  it("falls back to the autoscaler's default -10 when the values leave the flag out", async () => {
    const { stack, autoscaler, priorityClass } = eksStack();
    delete autoscaler.props.values.extraArgs["expendable-pods-priority-cutoff"];
    priorityClass.props.value = -11;
    expect(messagesOf(await stack.check(placeholderPriorityAtCutoff))).toEqual([
      expect.stringContaining("cutoff -10"),
    ]);
  });

  it("fails a class at 0 or more, which sandboxes cannot preempt, and a class the program does not declare", async () => {
    const zero = eksStack();
    zero.priorityClass.props.value = 0;
    expect(messagesOf(await zero.stack.check(placeholderPriorityAtCutoff))).toEqual([
      expect.stringContaining("cannot preempt"),
    ]);
    const missing = eksStack();
    missing.placeholders.props.spec.template.spec.priorityClassName = "elsewhere";
    expect(messagesOf(await missing.stack.check(placeholderPriorityAtCutoff))).toEqual([
      expect.stringContaining('"elsewhere", which the program does not declare'),
    ]);
  });

  it("has nothing to say about a stack without cluster-autoscaler (EKS on Fargate)", async () => {
    const { stack, autoscaler, priorityClass } = eksStack();
    stack.resources.splice(stack.resources.indexOf(autoscaler), 1);
    priorityClass.props.value = -1000;
    expect(await stack.check(placeholderPriorityAtCutoff)).toEqual({ violations: [] });
  });
});

describe("headroom-within-worker-capacity", () => {
  it("reads the workers as the component computes them: 110 pods a node, 77 placeholders of 0.1 vCPU", () => {
    const { stack } = eksStack();
    const unknowns = new Unknowns();
    const [group] = workerGroups(stack.resources, unknowns);
    expect(prefixDelegation(stack.resources)).toBe(true);
    expect(kubeletMaxPods(nodeConfigUserData(110))).toBe(110);
    expect(group).toMatchObject({
      instanceType: "m6i.2xlarge",
      maxSize: 13,
      node: allocatable("m6i.2xlarge", 110),
    });
    const overhead = {
      pods: EKS_NODE_DAEMONS.pods + 1,
      milliCpu: EKS_NODE_DAEMONS.milliCpu + 5,
      memoryMiB: 8,
    };
    const perNode = podsPerNode(group!, overhead, { milliCpu: 100, memoryMiB: 128 });
    expect(perNode).toBe(
      sandboxesPerNode(allocatable("m6i.2xlarge", maxPodsPerNode("m6i.2xlarge", true)), SANDBOX_SIZE),
    );
    expect(perNode).toBe(77);
  });

  it("passes the stacks' 90 placeholders on 13 workers", async () => {
    expect(await eksStack().stack.check(workerCapacityKept)).toEqual({ violations: [] });
  });

  it("fails hand-edited replicas that fill the group, naming the numbers and the fix", async () => {
    const { stack, placeholders, workers } = eksStack();
    placeholders.props.spec.replicas = 1000;
    expect((await stack.check(workerCapacityKept)).violations).toEqual([
      {
        urn: workers.urn,
        message: expect.stringMatching(
          /1000 placeholders \(77 per node\) need 13 m6i\.2xlarge workers of the 13 .*Fix: raise eks\.workerMax/,
        ),
      },
    ]);
  });

  it("counts the Hub's warm pool on EC2 with the placeholders, and not a pool on Fargate", async () => {
    const ec2 = eksStack({ hubEnv: { HUB_WARM_POOL_SIZE: "900" } });
    expect(messagesOf(await ec2.stack.check(workerCapacityKept))).toEqual([
      expect.stringMatching(
        /90 placeholders \(77 per node\) and a warm pool of 900 sandboxes of 0\.1 vCPU \/ 128 MiB \(77 per node\) need 13/,
      ),
    ]);
    const fargate = eksStack({
      hubEnv: { HUB_WARM_POOLS: JSON.stringify([{ placement: "fargate", size: 5000 }]) },
    });
    expect(await fargate.stack.check(workerCapacityKept)).toEqual({ violations: [] });
  });

  it("uses the kubelet's maxPods from the launch template when it is lower than the IPs allow", async () => {
    const { stack, template } = eksStack({ workerMax: 6 });
    template.props.userData = nodeConfigUserData(20);
    expect(messagesOf(await stack.check(workerCapacityKept))).toEqual([
      expect.stringContaining("90 placeholders (17 per node) need 6"),
    ]);
  });

  it("fails an instance type of unknown pod density, and placeholders that fit no node group", async () => {
    const unknownType = eksStack({ workerInstanceType: "x9.huge" });
    expect(messagesOf(await unknownType.stack.check(workerCapacityKept))).toEqual([
      expect.stringContaining("pod density of x9.huge is unknown"),
    ]);
    const nowhere = eksStack();
    nowhere.placeholders.props.spec.template.spec.tolerations = [];
    expect(messagesOf(await nowhere.stack.check(workerCapacityKept))).toEqual([
      expect.stringContaining("fit on no node group"),
    ]);
  });
});

describe("helm-chart-version-pinned", () => {
  const release = (props: Record<string, unknown>) =>
    resourceArgs(T.helmRelease, { chart: "cluster-autoscaler", ...props });

  it("passes an exact version and a chart from this repository", async () => {
    expect(messagesOf(await checkResource(helmChartsPinned, release({ version: "9.52.1" })))).toEqual([]);
    expect(
      messagesOf(
        await checkResource(helmChartsPinned, resourceArgs(T.helmChartV4, { chart: "./charts/local" })),
      ),
    ).toEqual([]);
  });

  it("fails ranges, wildcards and no version", async () => {
    for (const version of ["^9.52.0", "9.x", ">=9.0.0", "", undefined]) {
      expect(
        messagesOf(await checkResource(helmChartsPinned, release({ version }))),
        String(version),
      ).toEqual([expect.stringContaining("not one exact release")]);
    }
  });
});
