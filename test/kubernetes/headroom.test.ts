import { describe, expect, it } from "vitest";
import { allocatable } from "../../components/eks/instance-types";
import {
  placeholderCount,
  placeholderHeadroom,
  residentWorkers,
  sandboxesPerNode,
  WORKER_DAEMONSET_OVERHEAD,
} from "../../components/kubernetes/headroom";

const worker = allocatable("m6i.2xlarge", 110);
const small = { cpu: 0.1, memoryMiB: 128 };
const base = { nodeProvisioningSeconds: 90, sandbox: small, node: worker, maxNodes: 13 };

describe("sandboxesPerNode", () => {
  it("is bound by CPU for 0.1 vCPU sandboxes on m6i.2xlarge with prefix delegation", () => {
    // (7910m - 130m DaemonSets) / 100m = 77, below the 107 pod slots left after DaemonSets.
    expect(sandboxesPerNode(worker, small)).toBe(77);
  });

  it("is bound by IPs without prefix delegation (58 pods, 3 DaemonSets)", () => {
    expect(sandboxesPerNode(allocatable("m6i.2xlarge", 58), small)).toBe(58 - WORKER_DAEMONSET_OVERHEAD.pods);
  });

  it("is bound by memory for memory-heavy sandboxes", () => {
    expect(sandboxesPerNode(worker, { cpu: 0.1, memoryMiB: 4096 })).toBe(7);
  });

  it("refuses a zero size and a sandbox bigger than a node", () => {
    expect(() => sandboxesPerNode(worker, { cpu: 0, memoryMiB: 128 })).toThrow(
      /sandbox size must be above zero/,
    );
    expect(() => sandboxesPerNode(worker, { cpu: 0.1, memoryMiB: 0 })).toThrow(
      /sandbox size must be above zero/,
    );
    expect(() => sandboxesPerNode(worker, { cpu: 16, memoryMiB: 128 })).toThrow(/does not fit on a worker/);
  });
});

describe("placeholderHeadroom", () => {
  it("holds one provisioning time of creations: 1/s x 90 s = 90 placeholders on 2 workers", () => {
    expect(placeholderHeadroom({ ...base, createRatePerSecond: 1 })).toEqual({
      replicas: 90,
      sandboxesPerNode: 77,
      nodes: 2,
    });
  });

  it("scales linearly and rounds up partial pods without float noise", () => {
    expect(placeholderHeadroom({ ...base, createRatePerSecond: 0.1 }).replicas).toBe(9);
    expect(
      placeholderHeadroom({ ...base, createRatePerSecond: 0.25, nodeProvisioningSeconds: 10 }).replicas,
    ).toBe(3);
  });

  it("needs no placeholders when no bursts are expected", () => {
    expect(placeholderHeadroom({ ...base, createRatePerSecond: 0 })).toMatchObject({ replicas: 0, nodes: 0 });
  });

  it("refuses a headroom that would fill the worker group, naming the keys to change", () => {
    // 10/s x 90 s = 900 placeholders; on 13 workers of 77 that still leaves one node free.
    expect(placeholderHeadroom({ ...base, createRatePerSecond: 10 })).toMatchObject({
      replicas: 900,
      nodes: 12,
    });
    expect(() => placeholderHeadroom({ ...base, createRatePerSecond: 12 })).toThrow(
      /1080 placeholders needs 15 workers .* raise eks.workerMax or lower eks.createRatePerSecond/,
    );
    expect(() => placeholderHeadroom({ ...base, createRatePerSecond: 10, maxNodes: 12 })).toThrow(
      /needs 12 workers/,
    );
  });

  it.each([
    [{ createRatePerSecond: -1 }, /createRatePerSecond must be 0 or more, got -1/],
    [{ createRatePerSecond: Number.NaN }, /createRatePerSecond must be 0 or more/],
    [{ createRatePerSecond: 1, nodeProvisioningSeconds: 0 }, /nodeProvisioningSeconds must be more than 0/],
    [{ createRatePerSecond: 1, sandbox: { cpu: 0, memoryMiB: 128 } }, /sandbox size must be above zero/],
  ])("refuses bad input %j", (override, message) => {
    expect(() => placeholderHeadroom({ ...base, ...override })).toThrow(message);
  });
});

describe("residentWorkers", () => {
  it("is the placeholders' own node count for one group", () => {
    const headroom = placeholderHeadroom({ ...base, createRatePerSecond: 1 });
    expect(residentWorkers(worker, [{ count: headroom.replicas, size: small }])).toBe(headroom.nodes);
  });

  it("adds groups of different sizes by the share of a node each fills", () => {
    // 90 placeholders of 77 per node (1.17 nodes) and 14 members of 7 per node (2 nodes): 3.17, so 4.
    const big = { cpu: 0.1, memoryMiB: 4096 };
    expect(
      residentWorkers(worker, [
        { count: 90, size: small },
        { count: 14, size: big },
      ]),
    ).toBe(4);
  });

  it("is zero without resident pods, and ignores an empty group whatever its size", () => {
    expect(residentWorkers(worker, [])).toBe(0);
    expect(residentWorkers(worker, [{ count: 0, size: { cpu: 64, memoryMiB: 128 } }])).toBe(0);
  });
});

describe("placeholderCount", () => {
  it("rounds the product up, without floating-point noise", () => {
    expect(placeholderCount(0.1, 90)).toBe(9);
    expect(placeholderCount(0.25, 90)).toBe(23);
    expect(placeholderCount(0, 90)).toBe(0);
  });
});
