import { describe, expect, it } from "vitest";
import { parseSpawnOptions, positiveIntegerList, UsageError } from "../../src/bench/options.js";

const hub = { hub: "http://127.0.0.1:8080", token: "t" };

describe("parseSpawnOptions", () => {
  it("applies the study's defaults: 1 container, 100 ms, 0.1 vCPU, 128 Mi, basic, delete at the end", () => {
    expect(parseSpawnOptions({}, {})).toEqual({
      count: 1,
      intervalMs: 100,
      cpu: 0.1,
      memoryMiB: 128,
      files: [],
      scenario: "basic",
      keep: false,
      drainTimeoutMs: 120_000,
    });
  });

  it("reads every option", () => {
    const settings = parseSpawnOptions(
      {
        n: "20",
        interval: "1000",
        cpu: "0.25",
        mem: "512",
        placement: "ec2",
        image: "python:3.12",
        files: ["a.py"],
        scenario: "exec",
        keep: true,
        json: "out.json",
        label: "eks-ec2",
        ttl: "600",
        ...hub,
      },
      {},
    );
    expect(settings).toMatchObject({
      count: 20,
      intervalMs: 1000,
      cpu: 0.25,
      memoryMiB: 512,
      placement: "ec2",
      image: "python:3.12",
      files: ["a.py"],
      scenario: "exec",
      keep: true,
      jsonPath: "out.json",
      label: "eks-ec2",
      ttlSeconds: 600,
      hubUrl: "http://127.0.0.1:8080/",
      token: "t",
    });
  });

  it.each([
    [{ n: "-3" }, '-n must be a whole number from 1 to 10000, got "-3"'],
    [{ n: "0" }, '-n must be a whole number from 1 to 10000, got "0"'],
    [{ n: "1.5" }, '-n must be a whole number from 1 to 10000, got "1.5"'],
    [{ n: "ten" }, '-n must be a whole number from 1 to 10000, got "ten"'],
    [{ n: "1e9" }, '-n must be a whole number from 1 to 10000, got "1e9"'],
    [{ n: "10001" }, '-n must be a whole number from 1 to 10000, got "10001"'],
    [{ n: "0x10" }, '-n must be a whole number from 1 to 10000, got "0x10"'],
    [{ n: " 5 " }, '-n must be a whole number from 1 to 10000, got " 5 "'],
    [{ interval: "-1" }, '--interval must be a number >= 0, got "-1"'],
    [{ cpu: "0" }, '--cpu must be a number > 0, got "0"'],
    [{ mem: "" }, '--mem must be a whole number >= 1, got ""'],
    [{ scenario: "load" }, '--scenario must be one of basic, exec, web, got "load"'],
    [{ scenario: "exec", app: "site" }, "--app belongs to --scenario web (got --scenario exec)"],
    [{ appPort: "8000" }, "--app-port belongs to --scenario web (got --scenario basic)"],
    [{ scenario: "web", appPort: "70000" }, '--app-port must be a port number from 1 to 65535, got "70000"'],
    [{ scenario: "web", start: "  " }, "--start must not be empty"],
    [{ placement: "moon", ...hub }, '--placement must be one of local, ec2, fargate, got "moon"'],
    [
      { placement: "ec2", fargate: true, ...hub },
      "--fargate conflicts with --placement ec2; pass one of them",
    ],
    [{ placement: "ec2" }, "--placement ec2 needs --hub: the embedded Hub runs the local orchestrator only"],
    [{ hub: "http://127.0.0.1:1" }, "--hub needs a token: pass --token or set HUB_TOKEN"],
    [{ hub: "ftp://hub", token: "t" }, '--hub must be an http:// or https:// URL, got "ftp://hub"'],
    [{ hub: "not a url", token: "t" }, '--hub must be an http:// or https:// URL, got "not a url"'],
    [
      { hub: "http://user:pw@hub", token: "t" },
      "--hub must not carry credentials; pass the token with --token or HUB_TOKEN",
    ],
    [{ label: "  " }, "--label must not be empty"],
  ])("rejects %o with a message naming the option and what is allowed", (raw, message) => {
    expect(() => parseSpawnOptions(raw, {})).toThrow(new UsageError(message));
  });

  it("gives the web scenario the standard library's file server on port 8000 unless told otherwise", () => {
    expect(parseSpawnOptions({ scenario: "web" }, {}).app).toEqual({
      start: "python3 -m http.server $PORT",
      port: 8000,
    });
    expect(
      parseSpawnOptions({ scenario: "web", app: "site", start: "npm start", appPort: "3000" }, {}).app,
    ).toEqual({ dir: "site", start: "npm start", port: 3000 });
    expect(parseSpawnOptions({ scenario: "exec" }, {}).app).toBeUndefined();
  });

  it("treats --fargate as --placement fargate", () => {
    expect(parseSpawnOptions({ fargate: true, ...hub }, {}).placement).toBe("fargate");
  });

  it("takes the token from HUB_TOKEN when --token is absent, and --token over it", () => {
    expect(parseSpawnOptions({ hub: hub.hub }, { HUB_TOKEN: "from-env" }).token).toBe("from-env");
    expect(parseSpawnOptions(hub, { HUB_TOKEN: "from-env" }).token).toBe("t");
  });

  it("ignores a token without --hub (the embedded Hub makes its own)", () => {
    expect(parseSpawnOptions({}, { HUB_TOKEN: "x" }).token).toBeUndefined();
  });
});

describe("positiveIntegerList", () => {
  it("parses a comma list and rejects empty or bad items", () => {
    expect(positiveIntegerList("--sizes", "1, 20,100")).toEqual([1, 20, 100]);
    expect(() => positiveIntegerList("--sizes", "1,,2")).toThrow(
      '--sizes must be a comma list of whole numbers >= 1, got "1,,2"',
    );
    expect(() => positiveIntegerList("--sizes", "1,-2")).toThrow(
      '--sizes must be a whole number >= 1, got "-2"',
    );
  });
});
