/**
 * The pack as `pulumi preview --policy-pack policy` runs it (the CLI's run-policy-pack, ts-node with type
 * checking, the engine's Analyzer gRPC calls) against every stack's offline plan: all four pass, and a
 * hand-edited resource in a real plan fails with its resource, policy and fix.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PolicyPackProcess } from "../../scripts/policy/analyzer-client";
import { UNKNOWN } from "../../scripts/policy/engine-properties";
import { evaluateStack, packInfo, POLICY_PACK_DIR, type Diagnostic } from "../../scripts/policy/evaluate";
import { countsOf, exitCodeOf, renderStack } from "../../scripts/policy/report";
import { recordStack, type AnalyzedResource, type StackRecord } from "../../scripts/policy/stack-record";
import { REPO_ROOT, STACKS } from "../harness/stack";

const SETUP_DEADLINE_MS = 600_000;
let pack: PolicyPackProcess;
const records = new Map<string, StackRecord>();

beforeAll(async () => {
  pack = await PolicyPackProcess.start(POLICY_PACK_DIR);
  for (const pair of [STACKS.slice(0, 2), STACKS.slice(2)]) {
    for (const record of await Promise.all(pair.map(recordStack))) records.set(record.stack, record);
  }
}, SETUP_DEADLINE_MS);

afterAll(async () => {
  await pack?.stop();
});

/** A copy of a recorded stack with one resource's wire inputs changed. */
function edited(
  stack: string,
  type: string,
  name: string,
  change: (inputs: Record<string, any>) => void,
): AnalyzedResource[] {
  const copy = structuredClone(records.get(stack)!.resources);
  const target = copy.find((r) => r.type === type && r.name === name);
  if (!target) throw new Error(`${stack} has no ${type} "${name}"`);
  change(target.wireInputs);
  return copy;
}

const resourceNamed = (stack: string, name: string) =>
  records.get(stack)!.resources.find((r) => r.name === name)!;
const mandatory = (diagnostics: Diagnostic[]) => diagnostics.filter((d) => d.level === "mandatory");

describe("the policy pack on the stacks' offline plans", () => {
  it("reports its policies with their levels, the public endpoint rule advisory", async () => {
    const info = await packInfo(pack);
    expect(info.name).toBe("sandbox-platform@0.1.0");
    expect(info.policies.length).toBeGreaterThanOrEqual(20);
    expect(info.policies.filter((p) => p.level === "advisory").map((p) => p.name)).toEqual([
      "eks-public-endpoint-restricted",
    ]);
  });

  it.each(STACKS)("passes %s with no mandatory violation and nothing left unchecked", async (stack) => {
    const diagnostics = await evaluateStack(pack, records.get(stack)!.resources);
    expect(countsOf(diagnostics), renderStack({ stack, resourceCount: 0, diagnostics })).toMatchObject({
      mandatory: 0,
      unchecked: 0,
    });
    expect(exitCodeOf([{ stack, resourceCount: 0, diagnostics }])).toBe(0);
  });

  it("fails a placeholder PriorityClass edited below the autoscaler's cutoff, on that resource, with the fix", async () => {
    const resources = edited(
      "eks-ec2",
      "kubernetes:scheduling.k8s.io/v1:PriorityClass",
      "eks-overprovisioning-priority",
      (p) => {
        p.value = -1000;
      },
    );
    const diagnostics = mandatory(await evaluateStack(pack, resources));
    expect(diagnostics).toEqual([
      expect.objectContaining({
        policy: "placeholder-priority-at-or-above-cutoff",
        urn: resourceNamed("eks-ec2", "eks-overprovisioning-priority").urn,
        message: expect.stringMatching(
          /value -1000, below --expendable-pods-priority-cutoff -10.*Fix: value -10/s,
        ),
      }),
    ]);
    const report = renderStack({ stack: "eks-ec2", resourceCount: resources.length, diagnostics });
    expect(report).toContain(
      '[mandatory] placeholder-priority-at-or-above-cutoff\n  resource: kubernetes:scheduling.k8s.io/v1:PriorityClass "eks-overprovisioning-priority"',
    );
    expect(exitCodeOf([{ stack: "eks-ec2", resourceCount: resources.length, diagnostics }])).toBe(1);
  });

  it("fails a worker launch template edited to hop limit 2 as the resource is analyzed", async () => {
    const resources = edited(
      "eks-ec2",
      "aws:ec2/launchTemplate:LaunchTemplate",
      "eks-workers-launch-template",
      (p) => {
        p.metadataOptions.httpPutResponseHopLimit = 2;
      },
    );
    expect(mandatory(await evaluateStack(pack, resources))).toEqual([
      expect.objectContaining({
        policy: "node-imdsv2-hop-limit-1",
        urn: resourceNamed("eks-ec2", "eks-workers-launch-template").urn,
        message: expect.stringContaining("httpPutResponseHopLimit is 2"),
      }),
    ]);
  });

  it("fails an ECS sandbox task role given s3:* next to its exec channels", async () => {
    const resources = edited(
      "ecs-fargate",
      "aws:iam/rolePolicy:RolePolicy",
      "ecs-sandboxes-task-exec-channels",
      (p) => {
        const document = JSON.parse(p.policy as string);
        document.Statement.push({ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::bucket/*" });
        p.policy = JSON.stringify(document);
      },
    );
    expect(mandatory(await evaluateStack(pack, resources)).map((d) => [d.policy, d.urn])).toEqual([
      [
        "ecs-sandbox-task-role-exec-only",
        resourceNamed("ecs-fargate", "ecs-sandboxes-task-exec-channels").urn,
      ],
    ]);
  });

  it("says a rule could not run when a value is unknown before deployment, and does not fail for it", async () => {
    const resources = edited(
      "eks-ec2",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy",
      "eks-sandboxes-egress-dns",
      (p) => {
        p.spec = UNKNOWN;
      },
    );
    const diagnostics = await evaluateStack(pack, resources);
    expect(countsOf(diagnostics).mandatory).toBe(0);
    expect(diagnostics).toContainEqual(
      expect.objectContaining({
        policy: "sandbox-egress-no-link-local",
        level: "advisory",
        message: expect.stringMatching(
          /^can't run policy 'sandbox-egress-no-link-local'.*\.spec can't be known during preview/,
        ),
      }),
    );
    expect(renderStack({ stack: "eks-ec2", resourceCount: 0, diagnostics })).toContain(
      "[not checked] sandbox-egress-no-link-local",
    );
  });
});

describe("npm run policy", () => {
  it("refuses an unknown stack, naming the known ones, with exit code 2", () => {
    const run = spawnSync(
      process.execPath,
      ["--import", "tsx", join(REPO_ROOT, "scripts", "policy.ts"), "prod"],
      { encoding: "utf8" },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`stacks are ${STACKS.join(", ")} (got prod)`);
  });
});
