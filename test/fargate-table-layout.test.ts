/**
 * The one Fargate size table (hub-app/src/orchestrator/ecs/fargate-sizes.ts) works in both places that
 * load it: the Pulumi program, loaded as `pulumi up` loads it (CommonJS through ts-node), and the Hub's
 * image, compiled from exactly what hub-app/Dockerfile's build stage copies (ESM).
 */
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "./harness/stack";

const run = promisify(execFile);
const TABLE = join("hub-app", "src", "orchestrator", "ecs", "fargate-sizes.ts");

describe("the Pulumi program under pulumi's own TypeScript loader", () => {
  it("loads the Hub's table and sizes the ECS task definitions with it", async () => {
    const { stdout } = await run(
      process.execPath,
      [join(REPO_ROOT, "test", "harness", "pulumi-loader.cjs"), "ecs-fargate"],
      {
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const result = JSON.parse(stdout) as {
      loaded: string[];
      resources: { type: string; name: string; inputs: Record<string, unknown> }[];
    };
    expect(result.loaded).toContain(join(REPO_ROOT, TABLE));
    const sandboxTask = result.resources.find((r) => r.name === "ecs-sandboxes-task-definition");
    expect(sandboxTask?.inputs).toMatchObject({ cpu: "256", memory: "512" });
  }, 240_000);
});

describe("the Hub's Docker build stage", () => {
  const context = mkdtempSync(join(tmpdir(), "hub-build-"));
  afterAll(() => rmSync(context, { recursive: true, force: true }));

  /** COPY sources of the build stage (the first stage), relative to the repository root. */
  function buildStageCopies(): string[] {
    const dockerfile = readFileSync(join(REPO_ROOT, "hub-app", "Dockerfile"), "utf8");
    const buildStage = dockerfile.split(/^FROM /m)[1] ?? "";
    return buildStage
      .split("\n")
      .filter((line) => line.startsWith("COPY ") && !line.includes("--from"))
      .flatMap((line) => line.split(/\s+/).slice(1, -1));
  }

  it("compiles the table as ESM from what the Dockerfile copies, and the result runs", async () => {
    const sources = buildStageCopies();
    expect(sources).toContain("hub-app/src");
    for (const source of sources) cpSync(join(REPO_ROOT, source), join(context, source), { recursive: true });
    // Stands in for the stage's `npm ci`: the same lockfile, already installed here.
    for (const modules of ["node_modules", join("hub-app", "node_modules")]) {
      symlinkSync(join(REPO_ROOT, modules), join(context, modules));
    }
    const tsc = join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
    await run(process.execPath, [tsc, "-p", join(context, "hub-app", "tsconfig.build.json")]);
    const compiled = join(context, "hub-app", "dist", "orchestrator", "ecs", "fargate-sizes.js");
    const { stdout } = await run(process.execPath, [
      "--input-type=module",
      "-e",
      `import { fargateSizeFor } from ${JSON.stringify(compiled)}; console.log(JSON.stringify(fargateSizeFor(0.1, 128)));`,
    ]);
    expect(JSON.parse(stdout)).toEqual({ cpuUnits: 256, memoryMiB: 512 });
    // Compiling the whole Hub takes a while on two busy cores.
  }, 240_000);
});
