import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** Dockerfile instructions with line continuations joined and comments dropped. */
function instructions(text: string): Instruction[] {
  return text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const [keyword = "", ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(" ") };
    });
}

const dockerfile = instructions(readFileSync(join(import.meta.dirname, "..", "Dockerfile"), "utf8"));
const stages = dockerfile.reduce<Instruction[][]>((all, instruction) => {
  if (instruction.keyword === "FROM") all.push([]);
  all.at(-1)?.push(instruction);
  return all;
}, []);
const runtime = stages.at(-1) ?? [];

describe("hub-app/Dockerfile", () => {
  it("is multi-stage on a small Node 20 base", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage[0]?.args).toMatch(/^node:20-(slim|alpine)/);
    expect(runtime.some((i) => i.keyword === "COPY" && i.args.startsWith("--from=build"))).toBe(true);
  });

  it("installs only production dependencies in the runtime stage", () => {
    expect(runtime.some((i) => i.keyword === "RUN" && /npm ci\b.*--omit=dev/.test(i.args))).toBe(true);
  });

  it("runs as a non-root user", () => {
    const users = runtime.filter((i) => i.keyword === "USER").map((i) => i.args.split(":")[0]);
    expect(users.length).toBeGreaterThan(0);
    expect(["root", "0"]).not.toContain(users.at(-1));
  });

  it("has a HEALTHCHECK on /healthz", () => {
    const healthcheck = runtime.find((i) => i.keyword === "HEALTHCHECK");
    expect(healthcheck?.args).toContain("/healthz");
  });

  it("starts the compiled server", () => {
    expect(runtime.find((i) => i.keyword === "CMD")?.args).toContain("hub-app/dist/server.js");
  });
});
