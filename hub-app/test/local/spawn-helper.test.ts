import { once } from "node:events";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { LocalOrchestrator } from "../../src/orchestrator/local/index.js";
import { isSameProcessAlive } from "../../src/orchestrator/local/process-info.js";
import { spawner } from "../../src/orchestrator/local/run-process.js";
import { deleteAllAndRemove, localOrchestrator, run, spec, temporaryRoot } from "./sandbox-helpers.js";

let root: string;
let orchestrator: LocalOrchestrator;
beforeAll(async () => {
  root = await temporaryRoot();
  orchestrator = localOrchestrator(root);
});
afterAll(async () => {
  await deleteAllAndRemove(orchestrator, root);
});

function text(stream: Readable): Promise<string> {
  let seen = "";
  stream.on("data", (chunk: Buffer) => (seen += chunk.toString()));
  return new Promise((resolve) => stream.once("end", () => resolve(seen)));
}

describe("the spawn helper", () => {
  it("gives a process stdout, stderr to a file of its own and fd 3 as a stream (bwrap's --info-fd)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "spawn-helper-"));
    const log = join(dir, "err.log");
    const child = spawner.spawn(
      ["/bin/sh", "-c", "echo out; echo info >&3; echo err >&2"],
      {},
      {
        maxOutputBytes: 1024,
        stderrFile: log,
        info: true,
      },
    );
    expect(child.stderr).toBeUndefined();
    const [out, info] = await Promise.all([text(child.stdout), text(child.info!)]);
    expect([out, info]).toEqual(["out\n", "info\n"]);
    if (!child.exited) await once(child, "exit");
    expect(await readFile(log, "utf8")).toBe("err\n");
    await rm(dir, { recursive: true });
  });

  it("can die under running sandboxes: a delete then waits for the init through /proc, and the next create starts a new helper", async () => {
    const { id } = await orchestrator.create(spec());
    const meta = JSON.parse(await readFile(join(root, id, "meta.json"), "utf8")) as {
      initPid: number;
      initStartTime: string;
    };
    const helperPid = spawner.pid();
    expect(helperPid).toBeDefined();
    process.kill(helperPid!, "SIGKILL");
    await vi.waitUntil(() => spawner.pid() === undefined, { timeout: 5000, interval: 10 });
    // The sandbox is the dead helper's orphan now: still running, its exit no longer reported to the Hub.
    expect(await isSameProcessAlive(meta.initPid, meta.initStartTime)).toBe(true);
    expect((await run(orchestrator, id, ["echo", "still here"])).stdout).toBe("still here\n");
    expect(await orchestrator.delete(id)).toBe(true);
    expect(await isSameProcessAlive(meta.initPid, meta.initStartTime)).toBe(false);
    const next = await orchestrator.create(spec());
    expect(spawner.pid()).not.toBe(helperPid);
    expect((await run(orchestrator, next.id, ["echo", "new helper"])).stdout).toBe("new helper\n");
  });
});
