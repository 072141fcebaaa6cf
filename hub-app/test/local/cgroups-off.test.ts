/**
 * HUB_LOCAL_CGROUPS=off on a host that has cgroups: the sandbox's processes stay in the Hub's own
 * cgroups, the start log says why, and the limits fall back to the rlimits (docs/local-isolation.md).
 */
import { readFile } from "node:fs/promises";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localEnvSchema } from "../../src/orchestrator/local/settings.js";
import { createLocalOrchestrator, type LocalOrchestrator } from "../../src/orchestrator/local/index.js";
import { deleteAllAndRemove, run, spec, temporaryRoot } from "./sandbox-helpers.js";

let root: string;
let orchestrator: LocalOrchestrator;
const logged: { msg: string; reason?: string }[] = [];

beforeAll(async () => {
  root = await temporaryRoot();
  const lines = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n").filter(Boolean))
        logged.push(JSON.parse(line) as { msg: string; reason?: string });
      done();
    },
  });
  orchestrator = createLocalOrchestrator(
    localEnvSchema.parse({ HUB_LOCAL_ROOT: root, HUB_LOCAL_CGROUPS: "off" }),
    {
      instance: "hub",
      logger: pino({ level: "info" }, lines),
    },
  );
});
afterAll(async () => {
  await deleteAllAndRemove(orchestrator, root);
});

describe("HUB_LOCAL_CGROUPS=off", () => {
  it("is refused unless auto or off, naming both", () => {
    const parsed = localEnvSchema.safeParse({ HUB_LOCAL_CGROUPS: "v1" });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toMatch(/auto.*off/);
  });

  it("puts no sandbox in a cgroup of its own, and says so at start", async () => {
    const container = await orchestrator.create(spec());
    const listed = await run(orchestrator, container.id, ["cat", "/proc/self/cgroup"]);
    expect(listed.exitCode).toBe(0);
    // /proc/self/cgroup names each hierarchy's path (cgroups(7)): none is the sandbox's.
    expect(listed.stdout).not.toContain(container.id);
    expect(await readFile("/proc/self/cgroup", "utf8")).not.toContain(container.id);
    expect(
      logged.some((line) => line.reason === "HUB_LOCAL_CGROUPS=off" && /no cgroups/.test(line.msg)),
    ).toBe(true);
  });
});
