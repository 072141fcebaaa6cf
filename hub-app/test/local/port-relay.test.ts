import { request } from "node:http";
import { readdir, readFile, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalOrchestrator } from "../../src/orchestrator/local/index.js";
import type { ContainerInfo, PortTarget } from "../../src/orchestrator/types.js";
import {
  deleteAllAndRemove,
  isEnding,
  localOrchestrator,
  run,
  spec,
  temporaryRoot,
} from "./sandbox-helpers.js";
import { untilResolves } from "../wait.js";

let root: string;
let orchestrator: LocalOrchestrator;
let container: ContainerInfo;

/** One GET over the relay's unix socket; rejects when nothing answers. */
function getOver(target: PortTarget, path = "/"): Promise<{ status: number; body: string }> {
  if (target.kind !== "unix") throw new Error(`expected a unix socket, got ${target.kind}`);
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: target.socketPath, path, headers: { host: "sandbox" } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Host processes whose command line mentions `text`. */
async function processesNaming(text: string): Promise<number[]> {
  const pids = (await readdir("/proc")).filter((name) => /^\d+$/.test(name));
  const lines = await Promise.all(
    pids.map(async (pid) => ({
      pid: Number(pid),
      cmdline: await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => ""),
    })),
  );
  return lines.filter((line) => line.cmdline.includes(text)).map((line) => line.pid);
}

beforeAll(async () => {
  root = await temporaryRoot();
  orchestrator = localOrchestrator(root);
  container = await orchestrator.create(spec({ ports: [8000] }));
  await orchestrator.writeFiles(container.id, [
    { path: "index.html", content: Buffer.from("hello relay\n") },
  ]);
  const started = await run(orchestrator, container.id, [
    "sh",
    "-c",
    "nohup python3 -m http.server 8000 >/dev/null 2>&1 &",
  ]);
  expect(started.exitCode).toBe(0);
});
afterAll(async () => {
  await deleteAllAndRemove(orchestrator, root);
});

describe("a local sandbox's port relay", () => {
  it("reaches the app inside the sandbox's own network namespace over a unix socket", async () => {
    const target = await orchestrator.portTarget(container, 8000);
    const answer = await untilResolves(() => getOver(target, "/index.html"), 10_000);
    expect(answer).toEqual({ status: 200, body: "hello relay\n" });
  });

  it("keeps the socket in a folder only the sandbox's uid may enter, outside its pid namespace", async () => {
    const target = await orchestrator.portTarget(container, 8000);
    if (target.kind !== "unix") throw new Error("expected a unix socket");
    const folder = await stat(dirname(target.socketPath));
    expect(folder.mode & 0o777).toBe(0o700);
    const socket = await stat(target.socketPath);
    expect(socket.mode & 0o077).toBe(0);
    const info = await orchestrator.get(container.id);
    expect(info?.status).toBe("running");
  });

  it("is not visible to the student's processes", async () => {
    await orchestrator.portTarget(container, 8000);
    const listed = await run(orchestrator, container.id, ["sh", "-c", "cat /proc/[0-9]*/comm"]);
    expect(listed.stdout).toMatch(/python3/);
    expect(listed.stdout).not.toMatch(/socat|nsenter|setpriv/);
  });

  it("runs in the sandbox's cgroups, so its traffic counts against the sandbox's limits", async () => {
    const target = await orchestrator.portTarget(container, 8000);
    if (target.kind !== "unix") throw new Error("expected a unix socket");
    const [relay] = await processesNaming(target.socketPath);
    // /proc/<pid>/cgroup: one line per hierarchy, hierarchy-ID:controllers:path (cgroups(7)).
    const memberships = (await readFile(`/proc/${relay}/cgroup`, "utf8")).trim().split("\n");
    const line = (controller: string): string | undefined =>
      memberships.find((entry) => new RegExp(`^\\d+:([^:]*,)?${controller}(,[^:]*)?:|^0::`).test(entry));
    // Its own part where cgroups are killed (v1's freezer, or the one v2 hierarchy); the sandbox's limits elsewhere.
    expect(line("freezer")).toMatch(new RegExp(`/${container.id}/relay-8000$`));
    for (const controller of ["pids", "memory", "cpu"])
      expect(line(controller)).toMatch(new RegExp(`/${container.id}(/relay-8000)?$`));
  });

  it("stops with the sandbox: the socket no longer answers", async () => {
    const other = await orchestrator.create(spec({ ports: [8001] }));
    const target = await orchestrator.portTarget(other, 8001);
    if (target.kind !== "unix") throw new Error("expected a unix socket");
    expect(await processesNaming(target.socketPath)).toHaveLength(1);
    await orchestrator.delete(other.id);
    await expect(getOver(target)).rejects.toThrow(/ENOENT|ECONNREFUSED/);
    // The delete answers at the kill (as its sandbox's init): the relay may still be on its way out, never running.
    for (const pid of await processesNaming(target.socketPath)) expect(await isEnding(pid)).toBe(true);
  });
});
