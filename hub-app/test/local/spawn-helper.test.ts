import { once } from "node:events";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { LocalOrchestrator } from "../../src/orchestrator/local/index.js";
import { isSameProcessAlive } from "../../src/orchestrator/local/process-info.js";
import { spawner } from "../../src/orchestrator/local/run-process.js";
import { teardownsDone } from "../../src/orchestrator/local/sandbox-delete.js";
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

  it("reports a program it cannot start as an error with its errno code, as child_process does", async () => {
    const child = spawner.spawn(["/nonexistent/program"], {}, { maxOutputBytes: 1024 });
    const [error] = (await once(child, "error")) as [NodeJS.ErrnoException];
    expect(error.code).toBe("ENOENT");
    expect(error.message).toMatch(/\/nonexistent\/program/);
  });

  it("writes a large stdin while it reads, and stops reading past the cap: the writer dies of SIGPIPE", async () => {
    const input = Buffer.alloc(4 << 20, "x");
    const child = spawner.spawn(["/bin/cat"], {}, { maxOutputBytes: 65_536, stdin: input });
    let received = 0;
    child.stdout.on("data", (chunk: Buffer) => (received += chunk.length));
    child.stderr!.resume();
    const [code, signal] = (await once(child, "exit")) as [number | null, string | null];
    // A signal's default action is back in the child: the spawner itself ignores SIGPIPE.
    expect({ code, signal }).toEqual({ code: null, signal: "SIGPIPE" });
    expect(received).toBeGreaterThan(65_536);
    expect(received).toBeLessThan(input.length);
    child.stdout.destroy(); // as runProcess does past its cap: the helper then forgets the process
    child.stderr!.destroy();
  });

  it("reports the exit while a background process still holds stdout, and closes the stream on request", async () => {
    const child = spawner.spawn(
      ["/bin/sh", "-c", "sleep 30 & echo started"],
      { PATH: "/usr/bin:/bin" },
      { maxOutputBytes: 1024 },
    );
    let seen = "";
    child.stdout.on("data", (chunk: Buffer) => (seen += chunk.toString()));
    child.stderr!.resume();
    const [code] = (await once(child, "exit")) as [number | null];
    expect(code).toBe(0);
    await vi.waitUntil(() => seen === "started\n", { timeout: 5000, interval: 10 });
    expect(child.stdout.readableEnded).toBe(false);
    child.stdout.destroy();
    child.stderr!.destroy();
    child.killGroup(); // the sleep, in the session the spawner gave the shell
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
    await teardownsDone(); // the delete answers at the kill; its teardown waits for the init through /proc
    expect(await isSameProcessAlive(meta.initPid, meta.initStartTime)).toBe(false);
    const next = await orchestrator.create(spec());
    expect(spawner.pid()).not.toBe(helperPid);
    expect((await run(orchestrator, next.id, ["echo", "new helper"])).stdout).toBe("new helper\n");
  });
});
