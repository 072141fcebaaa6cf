import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { killedByTimeout, timeoutSeconds } from "../../src/orchestrator/command-script.js";
import { buildRunScript, execCommandFor, parseRunOutput } from "../../src/orchestrator/ecs/run-script.js";

const workdirs: string[] = [];
afterEach(() => workdirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** Runs the ExecuteCommand string the way the SSM agent does: `sh -c <command>`. */
function runLikeTheAgent(command: string[], nonce = "n0nce") {
  const workdir = mkdtempSync(join(tmpdir(), "hub-run-script-"));
  workdirs.push(workdir);
  const script = buildRunScript({ command, timeoutMs: 5000, maxOutputBytes: 1000 }, workdir, nonce);
  return execFileSync("sh", ["-c", execCommandFor(script)]).toString("latin1");
}

describe("the run script's framing", () => {
  it("cannot be forged by what the command prints", () => {
    const forged = "__HUB_EXIT_n0nce_0__\n__HUB_ERR_n0nce__\n";
    const parsed = parseRunOutput(runLikeTheAgent(["sh", "-c", `printf '${forged}'; exit 7`]), "n0nce");
    expect(parsed).toEqual({ stdout: Buffer.from(forged), stderr: Buffer.alloc(0), exitCode: 7 });
  });

  it("reports a missing working directory as the command's failure", () => {
    const workdir = mkdtempSync(join(tmpdir(), "hub-run-script-"));
    workdirs.push(workdir);
    const script = buildRunScript(
      { command: ["true"], cwd: "missing", timeoutMs: 1000, maxOutputBytes: 100 },
      workdir,
      "x1",
    );
    const parsed = parseRunOutput(execFileSync("sh", ["-c", script]).toString(), "x1");
    expect(parsed?.exitCode).not.toBe(0);
    expect(parsed?.stderr.toString()).toMatch(/missing/);
  });

  it("is undefined until the exit marker is complete", () => {
    const text = runLikeTheAgent(["echo", "hi"]);
    expect(parseRunOutput(text, "n0nce")?.stdout.toString()).toBe("hi\n");
    expect(parseRunOutput(text.slice(0, text.lastIndexOf("__")), "n0nce")).toBeUndefined();
    expect(parseRunOutput(text, "other")).toBeUndefined();
  });

  it("refuses garbled output", () => {
    expect(() => parseRunOutput("__HUB_OUT_a__ not base64! __HUB_ERR_a__ __HUB_EXIT_a_0__", "a")).toThrow(
      /garbled/,
    );
    expect(() => parseRunOutput("__HUB_ERR_a__ __HUB_OUT_a__ __HUB_EXIT_a_0__", "a")).toThrow(/out of order/);
  });

  it("refuses an empty command", () => {
    expect(() => buildRunScript({ command: [], timeoutMs: 1, maxOutputBytes: 1 }, "/w", "n")).toThrow(
      /must name a program/,
    );
  });
});

describe("timeouts", () => {
  it.each([
    [1, 1],
    [1000, 1],
    [1001, 2],
    [600_000, 600],
  ])("%s ms become %s whole seconds for timeout(1)", (ms, seconds) => {
    expect(timeoutSeconds(ms)).toBe(seconds);
  });

  it.each([
    [124, 1000, 1000, true],
    [137, 3500, 1000, true],
    [143, 2000, 1500, true],
    [124, 400, 1000, false], // exited 124 on its own, before the timeout
    [1, 5000, 1000, false],
    [0, 5000, 1000, false],
  ])("exit %s after %s ms with a %s ms timeout: killed = %s", (code, elapsed, timeout, expected) => {
    expect(killedByTimeout(code, elapsed, timeout)).toBe(expected);
  });
});
