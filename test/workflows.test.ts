import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT, STACKS } from "./harness/stack";

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  steps: Step[];
  needs?: string;
  environment?: string;
  strategy?: { matrix: { stack: unknown } };
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
}

const workflow = (file: string): Workflow =>
  parse(readFileSync(join(REPO_ROOT, ".github", "workflows", file), "utf8")) as Workflow;
const pulumiStep = (job: Job): Step => {
  const step = job.steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
  if (!step) throw new Error("no pulumi/actions step");
  return step;
};

describe("preview workflow", () => {
  const preview = workflow("preview.yml");

  it("runs on pull requests with OIDC and PR-comment permissions only", () => {
    expect(preview.on).toHaveProperty("pull_request");
    expect(preview.permissions).toEqual({ "id-token": "write", contents: "read", "pull-requests": "write" });
  });

  it("tests before previewing", () => {
    const runs = preview.jobs.test!.steps.map((s) => s.run);
    expect(runs).toContain("npm ci");
    expect(runs).toContain("npm test");
    expect(runs).toContain("npm ls @pulumi/pulumi");
    expect(preview.jobs.preview!.needs).toBe("test");
    // Credentials only for branches of this repository, never a fork's code.
    expect((preview.jobs.preview as { if?: string }).if).toBe(
      "github.event.pull_request.head.repo.full_name == github.repository",
    );
  });

  it("previews every stack with a diff commented on the PR, credentials by role assumption", () => {
    const job = preview.jobs.preview!;
    expect(job.strategy?.matrix.stack).toEqual([...STACKS]);
    expect(pulumiStep(job).with).toMatchObject({ command: "preview", diff: true, "comment-on-pr": true });
    const aws = job.steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
    expect(aws?.with?.["role-to-assume"]).toMatch(/vars\.AWS_ROLE_ARN/);
  });
});

describe("deploy workflow", () => {
  const deploy = workflow("deploy.yml");

  it("deploys the stacks named in a variable, on main, behind an approval environment", () => {
    expect(deploy.on).toHaveProperty("push");
    const job = deploy.jobs.up!;
    expect(job.environment).toBe("production");
    expect(job.strategy?.matrix.stack).toMatch(/fromJSON\(vars\.DEPLOY_STACKS\)/);
    expect(pulumiStep(job).with).toMatchObject({ command: "up" });
    expect(job.steps.map((s) => s.run)).toContain("npm test");
  });
});

describe("stack files", () => {
  it("has one Pulumi.<stack>.yaml per stack the workflows name", () => {
    for (const stack of STACKS) {
      expect(() => readFileSync(join(REPO_ROOT, `Pulumi.${stack}.yaml`))).not.toThrow();
    }
  });
});
