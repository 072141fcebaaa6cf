/** Pull requests are previewed with the policy pack, and the pack is one the Pulumi CLI can load from the repository. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT, STACKS } from "../harness/stack";

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
}
const read = (...path: string[]) => readFileSync(join(REPO_ROOT, ...path), "utf8");

describe("previews enforce the policy pack", () => {
  it("runs every stack's `pulumi preview` with policyPacks: policy", () => {
    const workflow = parse(read(".github", "workflows", "preview.yml")) as {
      jobs: Record<string, { steps: Step[]; strategy?: { matrix: { stack: string[] } } }>;
    };
    const previews = Object.values(workflow.jobs).filter((job) =>
      job.steps.some((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command === "preview"),
    );
    expect(previews.flatMap((job) => job.strategy?.matrix.stack)).toEqual([...STACKS]);
    for (const job of previews) {
      const step = job.steps.find((s) => s.uses?.startsWith("pulumi/actions@"))!;
      expect(String(step.with?.policyPacks).trim().split("\n")).toEqual(["policy"]);
    }
  });

  it("keeps the pack loadable by the CLI: a nodejs PulumiPolicy.yaml and a workspace package with a version", () => {
    expect(parse(read("policy", "PulumiPolicy.yaml"))).toMatchObject({ runtime: { name: "nodejs" } });
    const pack = JSON.parse(read("policy", "package.json")) as {
      version?: string;
      dependencies?: Record<string, string>;
    };
    // PolicyPack reads its version from package.json and refuses to start without one.
    expect(pack.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(Object.keys(pack.dependencies ?? {})).toContain("@pulumi/policy");
    expect((JSON.parse(read("package.json")) as { workspaces: string[] }).workspaces).toContain("policy");
  });
});
