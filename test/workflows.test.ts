/**
 * What the CI workflows must guarantee, checked as rules over their jobs rather than restated: every
 * stack is previewed, nothing reaches AWS before the tests pass, a fork's code never gets the
 * credentials, and `pulumi up` waits for an approval.
 */
import { readdirSync, readFileSync } from "node:fs";
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
  needs?: string | string[];
  if?: string;
  environment?: string;
  strategy?: { matrix: { stack: unknown } };
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const WORKFLOWS = join(REPO_ROOT, ".github", "workflows");
const workflows = readdirSync(WORKFLOWS).map((file) => ({
  file,
  workflow: parse(readFileSync(join(WORKFLOWS, file), "utf8")) as Workflow,
}));
const allJobs = workflows.flatMap(({ file, workflow }) =>
  Object.entries(workflow.jobs).map(([name, job]) => ({ file, name, job, on: workflow.on })),
);
const stepIndex = (job: Job, match: (step: Step) => boolean) => job.steps.findIndex(match);
const isCredentials = (step: Step) =>
  step.uses?.startsWith("aws-actions/configure-aws-credentials@") ?? false;
const isPulumi = (step: Step) => step.uses?.startsWith("pulumi/actions@") ?? false;
const needsOf = (job: Job) => (job.needs === undefined ? [] : [job.needs].flat());
const stackFiles = readdirSync(REPO_ROOT)
  .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
  .filter((stack): stack is string => stack !== undefined);

describe("CI workflows", () => {
  it("preview every stack that has a Pulumi.<stack>.yaml, and `npm run plan` knows the same stacks", () => {
    const previewed = allJobs
      .filter(({ job }) => job.steps.some((s) => isPulumi(s) && s.with?.command === "preview"))
      .flatMap(({ job }) => job.strategy?.matrix.stack as string[]);
    expect(new Set(previewed)).toEqual(new Set(stackFiles));
    expect(new Set(STACKS)).toEqual(new Set(stackFiles));
  });

  it("run `npm test` before any step that holds AWS credentials, in the job or in one it needs", () => {
    // .ci/run installs what the tests need and ends with `npm test`.
    const runsTests = (step: Step) => step.run === "npm test" || step.run?.trim() === ".ci/run";
    expect(
      readFileSync(join(REPO_ROOT, ".ci", "run"), "utf8")
        .trim()
        .split("\n")
        .at(-1),
    ).toBe("npm test");
    const testsIn = (job: Job) => job.steps.some(runsTests);
    for (const { file, name, job } of allJobs.filter(({ job }) => job.steps.some(isCredentials))) {
      const testedBefore =
        (testsIn(job) && stepIndex(job, runsTests) < stepIndex(job, isCredentials)) ||
        needsOf(job).some((needed) =>
          allJobs.some((j) => j.file === file && j.name === needed && testsIn(j.job)),
        );
      expect(testedBefore, `${file}: ${name}`).toBe(true);
    }
  });

  it("never hand AWS credentials to a pull request from a fork", () => {
    const onPullRequests = allJobs.filter(
      ({ on, job }) => "pull_request" in on && job.steps.some(isCredentials),
    );
    expect(onPullRequests.length).toBeGreaterThan(0);
    for (const { file, name, job } of onPullRequests) {
      expect(job.if, `${file}: ${name}`).toBe(
        "github.event.pull_request.head.repo.full_name == github.repository",
      );
    }
  });

  it("give the GitHub token no write access beyond OIDC and, for previews, the PR comment", () => {
    for (const { file, workflow } of workflows) {
      const writes = Object.entries(workflow.permissions ?? {}).filter(([, level]) => level === "write");
      const comments = Object.values(workflow.jobs).some((job) =>
        job.steps.some((s) => isPulumi(s) && s.with?.["comment-on-pr"] === true),
      );
      const allowed = ["id-token", ...(comments ? ["pull-requests"] : [])];
      expect(workflow.permissions, `${file} states its permissions`).toBeDefined();
      expect(
        writes.map(([scope]) => scope).filter((scope) => !allowed.includes(scope)),
        file,
      ).toEqual([]);
    }
  });

  it("run `pulumi up` only on main, behind an environment whose reviewers approve it", () => {
    const ups = allJobs.filter(({ job }) => job.steps.some((s) => isPulumi(s) && s.with?.command === "up"));
    expect(ups.length).toBeGreaterThan(0);
    for (const { file, name, job, on } of ups) {
      expect(job.environment, `${file}: ${name}`).toBe("production");
      expect(
        Object.keys(on).filter((trigger) => trigger !== "workflow_dispatch"),
        file,
      ).toEqual(["push"]);
      expect((on.push as { branches: string[] }).branches, file).toEqual(["main"]);
    }
  });
});
