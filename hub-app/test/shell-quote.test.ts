import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { shellCommand, shellQuote } from "../src/orchestrator/shell-quote.js";

/** What a real sh makes of the quoted words: each argument on its own NUL-terminated record. */
function wordsAfterSh(command: string): string[] {
  const output = execFileSync("sh", ["-c", `printf '%s\\0' ${command}`]);
  return output.toString("utf8").split("\0").slice(0, -1);
}

describe("shellQuote", () => {
  it("leaves plain words alone and quotes the rest", () => {
    expect(shellQuote("ls")).toBe("ls");
    expect(shellQuote("/usr/bin/python3")).toBe("/usr/bin/python3");
    expect(shellQuote("a b")).toBe("'a b'");
    expect(shellQuote("")).toBe("''");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });

  it.each([
    ["spaces and tabs", "a b\tc"],
    ["single quotes", "it's 'quoted'"],
    ["double quotes and backslashes", `say "hi" \\n \\`],
    ["expansions", "$HOME $(id) `id` ${PATH} $((1+1))"],
    ["globs and operators", "* ? [a] ; & | && || > < >> 2>&1 ~"],
    ["newlines", "line one\nline two\n"],
    ["empty", ""],
    ["unicode", "héllo wörld ✓"],
    ["leading dash", "-rf"],
    ["control characters", "\u0001\u001b[31m"],
  ])("round-trips %s through a real sh", (_name, value) => {
    expect(wordsAfterSh(shellQuote(value))).toEqual([value]);
  });

  it("keeps argv boundaries in a whole command", () => {
    const argv = ["python3", "-c", "print('a b'); import sys; print(sys.argv)", "x y", "", "'"];
    expect(wordsAfterSh(shellCommand(argv))).toEqual(argv);
  });

  it("refuses NUL, which no argument can hold", () => {
    expect(() => shellQuote("a\0b")).toThrow(/NUL/);
  });
});
