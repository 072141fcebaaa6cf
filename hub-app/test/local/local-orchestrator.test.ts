import { existsSync } from "node:fs";
import { chmod, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { HubError } from "../../src/errors.js";
import type { LocalOrchestrator } from "../../src/orchestrator/local/index.js";
import { removalsDone } from "../../src/orchestrator/local/remover.js";
import { teardownsDone } from "../../src/orchestrator/local/sandbox-delete.js";
import { projectDirectory } from "../../src/orchestrator/local/sandbox-args.js";
import {
  deleteAllAndRemove,
  isEnding,
  localOrchestrator,
  pidsInNamespaceOf,
  run,
  spec,
  temporaryRoot,
} from "./sandbox-helpers.js";

let root: string;
let orchestrator: LocalOrchestrator;
let id: string;

beforeAll(async () => {
  root = await temporaryRoot();
  orchestrator = localOrchestrator(root);
  const info = await orchestrator.create(spec({ env: { COURSE: "networks" } }));
  id = info.id;
});
afterAll(async () => {
  await deleteAllAndRemove(orchestrator, root);
});

describe("a local sandbox", () => {
  it("is running and ready when create returns, with its timings", async () => {
    const info = await orchestrator.waitReady(id, 1000);
    expect(info).toMatchObject({ id, status: "running", placement: "local", image: "host", memory: 512 });
    expect(info.timings.ready).toBeGreaterThanOrEqual(info.timings.started ?? 0);
  });

  it("refuses any image but host, saying so", async () => {
    const create = orchestrator.create(spec({ image: "python:3.12" }));
    await expect(create).rejects.toThrow(HubError);
    await expect(create).rejects.toThrow(
      /image must be "host" with the local orchestrator \(got "python:3.12"\)/,
    );
  });

  it("round-trips files, with their modes, and runs them", async () => {
    await orchestrator.writeFiles(id, [
      { path: "notes/hello.txt", content: Buffer.from("héllo\n") },
      { path: "bin/greet.sh", content: Buffer.from("#!/bin/sh\necho greet $1\n"), mode: 0o755 },
    ]);
    expect((await run(orchestrator, id, ["cat", "notes/hello.txt"])).stdout).toBe("héllo\n");
    expect((await run(orchestrator, id, ["./bin/greet.sh", "you"])).stdout).toBe("greet you\n");
    expect(
      (
        await orchestrator.run(id, {
          command: ["cat", "hello.txt"],
          cwd: "notes",
          timeoutMs: 5000,
          maxOutputBytes: 100,
        })
      ).stdout,
    ).toBe("héllo\n");
  });

  it("reports exit codes, and 127 for a missing program", async () => {
    expect((await run(orchestrator, id, ["sh", "-c", "echo oops >&2; exit 3"])).exitCode).toBe(3);
    expect((await run(orchestrator, id, ["sh", "-c", "echo oops >&2; exit 3"])).stderr).toBe("oops\n");
    expect((await run(orchestrator, id, ["no-such-program"])).exitCode).toBe(127);
  });

  it("kills a command at its timeout", async () => {
    const result = await run(orchestrator, id, ["sleep", "30"], 300);
    expect(result).toMatchObject({ timedOut: true, exitCode: null });
    expect(result.durationMs).toBeLessThan(10_000);
  });

  it("cuts output at the cap and says so", async () => {
    const result = await run(orchestrator, id, ["sh", "-c", "yes x | head -c 50000"], 10_000, 1000);
    expect(result.stdout).toHaveLength(1000);
    expect(result.truncated).toBe(true);
  });

  it("stops reading at the cap: a command writing for ever ends on a closed pipe, not at its timeout", async () => {
    const result = await run(orchestrator, id, ["sh", "-c", "yes; echo yes-ended >&2"], 8000, 1000);
    expect(result).toMatchObject({ timedOut: false, truncated: true });
    expect(result.stderr).toMatch(/yes-ended\n$/);
    expect(result.stdout).toHaveLength(1000);
  });

  it("keeps files and background processes between runs", async () => {
    const started = await run(orchestrator, id, [
      "sh",
      "-c",
      "echo kept > state.txt; nohup sleep 300 >/dev/null 2>&1 & echo $!",
    ]);
    const pid = started.stdout.trim();
    expect(pid).toMatch(/^\d+$/);
    expect((await run(orchestrator, id, ["kill", "-0", pid])).exitCode).toBe(0);
    expect((await run(orchestrator, id, ["cat", "state.txt"])).stdout).toBe("kept\n");
  });

  it("passes the container's env and the run's env, and nothing of the Hub's", async () => {
    process.env.HUB_TEST_SECRET = "do-not-leak-this";
    try {
      const result = await orchestrator.run(id, {
        command: ["env"],
        env: { STEP: "2" },
        timeoutMs: 5000,
        maxOutputBytes: 65_536,
      });
      expect(result.stdout).toContain("COURSE=networks");
      expect(result.stdout).toContain("STEP=2");
      expect(result.stdout).not.toContain("do-not-leak-this");
      expect(result.stdout).not.toContain("HUB_");
    } finally {
      delete process.env.HUB_TEST_SECRET;
    }
  });

  it("keeps a caller's PATH and LD_PRELOAD away from the host programs that enter the sandbox", async () => {
    // A planted `prlimit` in the working directory: with the caller's PATH on the host side, a root Hub ran it as root.
    const marker = join(root, "planted-prlimit-ran");
    await orchestrator.writeFiles(id, [
      { path: "prlimit", content: Buffer.from(`#!/bin/sh\ntouch ${marker}\n`), mode: 0o755 },
    ]);
    const work = "/home/sandbox";
    const result = await orchestrator.run(id, {
      command: ["/usr/bin/env"],
      env: { PATH: work, LD_PRELOAD: "/nonexistent-preload.so" },
      timeoutMs: 5000,
      maxOutputBytes: 65_536,
    });
    expect(existsSync(marker)).toBe(false);
    expect(result.stdout).toContain(`PATH=${work}`);
    // The loader complains once, for the command (the sandbox's own env, which shows the environment);
    // never for prlimit, nsenter or setpriv, nor for env(1) entering the sandbox (it sets LD_PRELOAD for what it runs).
    expect(result.stderr.match(/cannot be preloaded/g) ?? []).toHaveLength(1);
  });

  it("cannot see host processes: its own pid namespace with a fresh /proc", async () => {
    const result = await run(orchestrator, id, [
      "sh",
      "-c",
      `ls /proc | grep -E '^[0-9]+$' | sort -n; kill -0 ${process.pid} 2>&1`,
    ]);
    const pids = result.stdout
      .split("\n")
      .filter((line) => /^\d+$/.test(line))
      .map(Number);
    expect(Math.min(...pids)).toBe(1);
    expect(pids.length).toBeLessThan(20);
    expect(pids).not.toContain(process.pid);
    expect(result.exitCode).not.toBe(0);
  });

  it("runs as uid 1000 without capabilities or new privileges", async () => {
    const result = await run(orchestrator, id, [
      "sh",
      "-c",
      "id -u; grep -E '^(CapEff|CapPrm|NoNewPrivs)' /proc/self/status",
    ]);
    expect(result.stdout).toMatch(/^1000\n/);
    expect(result.stdout).toMatch(/CapEff:\s+0+\n/);
    expect(result.stdout).toMatch(/CapPrm:\s+0+\n/);
    expect(result.stdout).toMatch(/NoNewPrivs:\s+1/);
  });

  it("cannot make a user namespace of its own, to be root in it (bwrap --disable-userns)", async () => {
    // unshare(1) from util-linux: -U a new user namespace, -r mapped to root in it.
    const result = await run(orchestrator, id, ["unshare", "-Ur", "id", "-u"]);
    expect(result.exitCode).not.toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/unshare failed: No space left on device/);
  });

  it("runs under the sandbox's seccomp filter: keyctl, bpf and io_uring refused with EPERM, the rest open", async () => {
    // Linux's syscall numbers (arch/x86/entry/syscalls/syscall_64.tbl, include/uapi/asm-generic/unistd.h).
    const numbers =
      process.arch === "arm64"
        ? { keyctl: 219, bpf: 280, io_uring_setup: 425, getppid: 173 }
        : { keyctl: 250, bpf: 321, io_uring_setup: 425, getppid: 110 };
    const script = [
      "import ctypes, sys",
      "libc = ctypes.CDLL(None, use_errno=True)",
      "for name, number in zip(sys.argv[1::2], sys.argv[2::2]):",
      "    ctypes.set_errno(0)",
      "    result = libc.syscall(int(number), 0, 0, 0, 0, 0)",
      "    print(name, 'EPERM' if result == -1 and ctypes.get_errno() == 1 else 'not refused')",
    ].join("\n");
    const args = Object.entries(numbers).flatMap(([name, number]) => [name, String(number)]);
    const calls = await run(orchestrator, id, ["python3", "-c", script, ...args]);
    expect(calls.stdout).toBe("keyctl EPERM\nbpf EPERM\nio_uring_setup EPERM\ngetppid not refused\n");
    // The keeper (pid 2, started by bwrap --seccomp) and this run (hub-launch enter) both carry it.
    const modes = await run(orchestrator, id, [
      "grep",
      "-h",
      "^Seccomp:",
      "/proc/2/status",
      "/proc/self/status",
    ]);
    expect(modes.stdout).toBe("Seccomp:\t2\nSeccomp:\t2\n");
  });

  it("cannot read /root, /home, the Hub's project or other sandboxes", async () => {
    const project = projectDirectory(process.cwd(), existsSync);
    const result = await run(orchestrator, id, [
      "sh",
      "-c",
      `ls -A /root; ls -A ${project}; ls -A ${root}; ls -A /home`,
    ]);
    expect(result.stdout).toBe("sandbox\n");
    expect(
      (await run(orchestrator, id, ["sh", "-c", "touch /etc/hub-test; touch /usr/hub-test"])).stderr,
    ).toMatch(/Read-only file system/);
  });

  it("cannot read another sandbox's files, which are not even named inside it", async () => {
    const other = await orchestrator.create(spec());
    await orchestrator.writeFiles(other.id, [{ path: "secret.txt", content: Buffer.from("theirs") }]);
    const otherWork = join(root, other.id, "work", "secret.txt");
    expect(existsSync(otherWork)).toBe(true);
    const result = await run(orchestrator, id, ["sh", "-c", `cat ${otherWork}; ls /tmp`]);
    expect(result.stdout).not.toContain("theirs");
    expect(result.stderr).toMatch(/No such file/);
    await orchestrator.delete(other.id);
  });

  it("keeps RAM-backed writes within bounds: hiding tmpfs tiny, /dev/shm at the container's memory, /dev read-only", async () => {
    const result = await run(orchestrator, id, [
      "sh",
      "-c",
      "df -k --output=target,size /root /home /dev/shm | tail -n +2; head -c 1048576 /dev/zero > /root/x || echo root full; touch /dev/x || echo dev read-only",
    ]);
    const sizes = Object.fromEntries(
      result.stdout
        .split("\n")
        .map((line) => line.trim().split(/\s+/))
        .filter((fields) => fields.length === 2 && fields[0]?.startsWith("/")),
    );
    expect(sizes).toEqual({ "/root": "64", "/home": "64", "/dev/shm": String(512 * 1024) });
    expect(result.stdout).toContain("root full");
    expect(result.stdout).toContain("dev read-only");
  });

  it("caps each process's data size with an rlimit (tasks are held by the sandbox's cgroup: cgroups.test.ts)", async () => {
    const limits = (await run(orchestrator, id, ["cat", "/proc/self/limits"])).stdout;
    expect(limits).toMatch(new RegExp(`Max data size\\s+${512 * 1024 * 1024}\\s`));
  });

  it("writes files inside the sandbox, so a planted symlink cannot reach the host", async () => {
    await run(orchestrator, id, ["ln", "-s", "/etc", "escape"]);
    await expect(
      orchestrator.writeFiles(id, [{ path: "escape/hub-escape-test", content: Buffer.from("x") }]),
    ).rejects.toThrow(/cannot write the files/);
    expect(existsSync("/etc/hub-escape-test")).toBe(false);
  });

  it("lists only its own instance's sandboxes", async () => {
    const otherHub = localOrchestrator(root, "other-hub");
    expect((await orchestrator.list()).map((container) => container.id)).toContain(id);
    expect(await otherHub.list()).toEqual([]);
    expect(await otherHub.get(id)).toBeUndefined();
    expect(await otherHub.delete(id)).toBe(false);
  });

  it("moves its expiry in meta.json, keeping it running and readable by another Hub process", async () => {
    const later = new Date(Date.now() + 7_200_000);
    expect(await orchestrator.extend(id, later)).toMatchObject({
      id,
      status: "running",
      expiresAt: later.toISOString(),
    });
    expect((await localOrchestrator(root).get(id))?.expiresAt).toBe(later.toISOString());
    expect(await localOrchestrator(root, "other-hub").extend(id, new Date())).toBeUndefined();
    expect(await orchestrator.extend("cnt-nothere", later)).toBeUndefined();
    expect(await run(orchestrator, id, ["true"])).toMatchObject({ exitCode: 0 });
  });

  it("lists a running sandbox as the same object until its record changes", async () => {
    const listed = async () => (await orchestrator.list()).find((container) => container.id === id);
    const before = await listed();
    expect(await listed()).toBe(before);
    const later = new Date(Date.now() + 5_400_000);
    await orchestrator.extend(id, later);
    const after = await listed();
    expect(after).not.toBe(before);
    expect(after).toMatchObject({ status: "running", expiresAt: later.toISOString() });
  });

  it("answers not found and not running plainly", async () => {
    await expect(run(orchestrator, id.replace(/.$/, "z") + "q", ["true"])).rejects.toMatchObject({
      code: "not_found",
    });
    expect(await orchestrator.get("cnt-nothere")).toBeUndefined();
  });
});

describe("a HUB_LOCAL_ROOT below a folder others cannot pass through", () => {
  it("is refused with a message naming that folder (a root Hub runs each sandbox as its own uid)", async () => {
    const parent = await temporaryRoot();
    await chmod(parent, 0o700);
    const hidden = localOrchestrator(join(parent, "sandboxes"));
    try {
      if (process.getuid?.() === 0) {
        await expect(hidden.create(spec())).rejects.toMatchObject({
          code: "orchestrator_unavailable",
          message: expect.stringContaining(`below ${parent} (mode 700)`) as string,
        });
        await expect(hidden.ping()).rejects.toMatchObject({ code: "orchestrator_unavailable" });
      } else {
        // A non-root Hub runs sandboxes as itself, so the folder is no obstacle.
        await expect(hidden.ping()).resolves.toBeUndefined();
      }
    } finally {
      await deleteAllAndRemove(hidden, parent);
    }
  });
});

describe("a sandbox that goes away during a call", () => {
  it("answers not_found for a run cut short by a delete, not the killed command's exit code", async () => {
    const doomed = await orchestrator.create(spec());
    // The outcome is caught at once: the run fails while the delete is still being awaited.
    const outcome = run(orchestrator, doomed.id, ["sleep", "30"]).then(
      (result) => result,
      (error: unknown) => error,
    );
    // Let the command start before the delete kills it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await orchestrator.delete(doomed.id)).toBe(true);
    expect(await outcome).toMatchObject({ code: "not_found" });
  });

  it("answers conflict once a student has killed every process in it, naming no host pid", async () => {
    const doomed = await orchestrator.create(spec());
    // kill(-1) spares the caller, not the sandbox's keeper; the caller itself is killed too when the
    // init, once it has reaped the keeper, exits first (the end of a pid namespace, pid_namespaces(7)):
    // then this very run already answers conflict.
    await run(orchestrator, doomed.id, ["sh", "-c", "kill -9 -1"]).catch((error: unknown) =>
      expect(error).toMatchObject({ code: "conflict" }),
    );
    // The sandbox's init exits only after it has reaped the keeper: until then the sandbox still runs.
    await vi.waitUntil(async () => (await orchestrator.get(doomed.id))?.status === "failed", {
      timeout: 10_000,
      interval: 20,
    });
    await expect(run(orchestrator, doomed.id, ["true"])).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringMatching(/is not running/) as string,
    });
    expect(await orchestrator.delete(doomed.id)).toBe(true);
  });
});

describe("deleting a local sandbox", () => {
  it("answers once its init has the kill, then every process in it ends and its directory goes; a second delete finds nothing", async () => {
    const doomed = await orchestrator.create(spec());
    await run(orchestrator, doomed.id, [
      "sh",
      "-c",
      "nohup sleep 300 >/dev/null 2>&1 & setsid sleep 301 >/dev/null 2>&1 &",
    ]);
    const meta = JSON.parse(await readFile(join(root, doomed.id, "meta.json"), "utf8")) as {
      initPid: number;
    };
    expect((await pidsInNamespaceOf(meta.initPid)).length).toBeGreaterThanOrEqual(4);

    expect(await orchestrator.delete(doomed.id)).toBe(true);
    expect(await isEnding(meta.initPid)).toBe(true);
    expect(existsSync(join(root, doomed.id))).toBe(false);
    expect(await orchestrator.delete(doomed.id)).toBe(false);
    expect(await orchestrator.get(doomed.id)).toBeUndefined();
    await teardownsDone();
    expect(await pidsInNamespaceOf(meta.initPid)).toEqual([]);
  });

  it("removes the files in the background, off the Hub's event loop, once the processes are gone", async () => {
    const doomed = await orchestrator.create(spec());
    const made = await run(
      orchestrator,
      doomed.id,
      ["sh", "-c", "mkdir many && cd many && seq 1 30000 | xargs touch"],
      60_000,
    );
    expect(made.exitCode).toBe(0);
    expect(await orchestrator.delete(doomed.id)).toBe(true);
    await teardownsDone();
    // Thirty thousand files take a child process far longer to remove than the processes took to end.
    const doomedFolders = (await readdir(root)).filter((name) => name.startsWith(`.deleting-${doomed.id}-`));
    expect(doomedFolders).toHaveLength(1);
    await removalsDone();
    expect((await readdir(root)).filter((name) => name.includes(doomed.id))).toEqual([]);
  });
});
