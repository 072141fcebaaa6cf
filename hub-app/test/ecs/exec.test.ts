import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeTasksCommand, ExecuteCommandCommand, ListTasksCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunRequest } from "../../src/orchestrator/types.js";
import { FakeSsmAgent } from "./fake-ssm-agent.js";
import { ecsSettings, mockedOrchestrator, sandboxTask, taskArnOf } from "./fixtures.js";

const agent = new FakeSsmAgent();
let workdir: string;

beforeAll(async () => {
  await agent.start();
});
afterAll(async () => {
  await agent.stop();
});
beforeEach(() => {
  agent.behaviour = "normal";
  agent.image = "coreutils";
  agent.sessions.length = 0;
  workdir = mkdtempSync(join(tmpdir(), "hub-ecs-exec-"));
  return () => rmSync(workdir, { recursive: true, force: true });
});

/** An orchestrator whose sandbox cnt-abc12 is a ready task and whose exec sessions reach the fake agent. */
function sandbox(settings: Record<string, string> = {}, phase: Parameters<typeof sandboxTask>[1] = "ready") {
  const harness = mockedOrchestrator(
    { now: Date.now },
    ecsSettings({ HUB_ECS_WORKDIR: workdir, ...settings }),
  );
  harness.ecsMock.on(ListTasksCommand).resolves({ taskArns: [taskArnOf("cnt-abc12")] });
  harness.ecsMock.on(DescribeTasksCommand).resolves({ tasks: [sandboxTask("cnt-abc12", phase)] });
  harness.ecsMock.on(ExecuteCommandCommand).callsFake((input: { command: string }) => ({
    session: { sessionId: "s-1", ...agent.prepare(input.command) },
  }));
  return harness;
}

/** Running, not a zombie (a killed orphan stays one until something reaps it). */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

const request = (command: string[], extra: Partial<RunRequest> = {}): RunRequest => ({
  command,
  timeoutMs: 10_000,
  maxOutputBytes: 1024 * 1024,
  ...extra,
});

describe("run through ECS Exec", () => {
  it("returns the exit code with stdout and stderr apart, undamaged by the pty", async () => {
    const { orchestrator, ecsMock } = sandbox();
    const result = await orchestrator.run(
      "cnt-abc12",
      request(["sh", "-c", "printf 'out\\nline 2\\n'; echo err >&2; exit 3"]),
    );
    expect(result).toMatchObject({
      exitCode: 3,
      stdout: "out\nline 2\n",
      stderr: "err\n",
      timedOut: false,
      truncated: false,
    });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);

    expect(ecsMock.commandCalls(ExecuteCommandCommand)[0]!.args[0].input).toMatchObject({
      cluster: "sandboxes",
      task: taskArnOf("cnt-abc12"),
      container: "sandbox",
      interactive: true,
      command: expect.stringMatching(/^sh -c '/),
    });
    const [session] = agent.sessions;
    expect(session!.token).toMatchObject({ MessageSchemaVersion: "1.0", TokenValue: expect.any(String) });
    expect(session!.handshakeResponse).toMatchObject({
      ProcessedClientActions: [{ ActionType: "SessionType", ActionStatus: 1 }],
    });
    // Every output message the client read was acknowledged.
    expect(session!.acknowledged.length).toBeGreaterThan(0);
    for (const sequence of session!.acknowledged) expect(session!.outputSequences).toContain(sequence);
  });

  it("keeps argv words, env and cwd exactly", async () => {
    const { orchestrator } = sandbox();
    await orchestrator.run("cnt-abc12", request(["mkdir", "-p", "sub dir"]));
    const result = await orchestrator.run(
      "cnt-abc12",
      request(["sh", "-c", 'printf "%s|" "$@" "$GREETING" "$(pwd)"', "argv0", "a b", "it's", "$HOME", ""], {
        env: { GREETING: "hi 'there' $USER" },
        cwd: "sub dir",
      }),
    );
    expect(result.stdout).toBe(`a b|it's|$HOME||hi 'there' $USER|${workdir}/sub dir|`);
    expect(result.exitCode).toBe(0);
  });

  it("goes straight to exec for a sandbox it knows, describing the task only the first time", async () => {
    const { orchestrator, ecsMock } = sandbox();
    await orchestrator.run("cnt-abc12", request(["true"]));
    const describes = ecsMock.commandCalls(DescribeTasksCommand).length;
    await orchestrator.run("cnt-abc12", request(["true"]));
    expect(ecsMock.commandCalls(DescribeTasksCommand)).toHaveLength(describes);
  });

  it("kills a command at its timeout and says so", async () => {
    const { orchestrator } = sandbox();
    const result = await orchestrator.run(
      "cnt-abc12",
      request(["sh", "-c", "echo started; sleep 5"], { timeoutMs: 1000 }),
    );
    expect(result).toMatchObject({ timedOut: true, exitCode: null, stdout: "started\n" });
    expect(result.durationMs).toBeGreaterThanOrEqual(1000);
    expect(result.durationMs).toBeLessThan(4000);
  });

  it.each(["coreutils", "busybox", "busybox-without-setsid"] as const)(
    "leaves a background server running after the call returns (%s image)",
    async (image) => {
      const { orchestrator } = sandbox();
      agent.image = image;
      const result = await orchestrator.run(
        "cnt-abc12",
        request(["sh", "-c", "sleep 300 & echo $!"], { timeoutMs: 5000 }),
      );
      const pid = Number(result.stdout.trim());
      expect(pid).toBeGreaterThan(1);
      // The session's shell has exited and its pty hung up: whatever the hang-up kills is dead now.
      await agent.sessions.at(-1)!.ended;
      try {
        expect(isAlive(pid)).toBe(true);
      } finally {
        if (isAlive(pid)) process.kill(pid, "SIGKILL");
      }
    },
  );

  it("does not take an early exit 124 for a timeout", async () => {
    const { orchestrator } = sandbox();
    const result = await orchestrator.run(
      "cnt-abc12",
      request(["sh", "-c", "exit 124"], { timeoutMs: 5000 }),
    );
    expect(result).toMatchObject({ timedOut: false, exitCode: 124 });
  });

  it("cuts output at the cap and marks it truncated", async () => {
    const { orchestrator } = sandbox();
    const result = await orchestrator.run(
      "cnt-abc12",
      request(["sh", "-c", "head -c 50000 /dev/zero | tr '\\0' x; echo short >&2"], { maxOutputBytes: 100 }),
    );
    expect(result.stdout).toBe("x".repeat(100));
    expect(result.stderr).toBe("short\n");
    expect(result).toMatchObject({ truncated: true, exitCode: 0 });
  });

  it("puts output back in order when frames arrive shuffled and repeated", async () => {
    const { orchestrator } = sandbox();
    agent.behaviour = "reordered";
    const result = await orchestrator.run("cnt-abc12", request(["sh", "-c", "seq 1 3000"]));
    expect(result.stdout).toBe(`${Array.from({ length: 3000 }, (_, i) => i + 1).join("\n")}\n`);
    expect(result.exitCode).toBe(0);
  });

  it("fails clearly when the session closes before the exit code", async () => {
    const { orchestrator } = sandbox();
    agent.behaviour = "closes-early";
    await expect(orchestrator.run("cnt-abc12", request(["true"]))).rejects.toMatchObject({
      code: "container_failed",
      message: expect.stringMatching(
        /ended before the command reported its exit code.*Cannot perform start session: EOF/,
      ),
    });
  });

  it("refuses a bad env name before calling ECS", async () => {
    const { orchestrator, ecsMock } = sandbox();
    await expect(
      orchestrator.run("cnt-abc12", request(["true"], { env: { "BAD-NAME": "x" } })),
    ).rejects.toMatchObject({
      code: "invalid_request",
      message: expect.stringMatching(/env name "BAD-NAME"/),
    });
    expect(ecsMock.commandCalls(ExecuteCommandCommand)).toHaveLength(0);
  });

  it("refuses a command too long for ECS Exec before calling ECS, saying to use files", async () => {
    const { orchestrator, ecsMock } = sandbox();
    await expect(
      orchestrator.run("cnt-abc12", request(["python3", "-c", "x".repeat(9000)])),
    ).rejects.toMatchObject({
      code: "invalid_request",
      message: expect.stringMatching(/ECS takes at most 8192: put long inputs in files/),
    });
    expect(ecsMock.commandCalls(ExecuteCommandCommand)).toHaveLength(0);
  });

  it("answers 409 for a sandbox still starting and 404 for an unknown one", async () => {
    const starting = sandbox({}, "running-no-agent");
    await expect(starting.orchestrator.run("cnt-abc12", request(["true"]))).rejects.toMatchObject({
      code: "conflict",
    });
    await expect(starting.orchestrator.run("cnt-nope0", request(["true"]))).rejects.toMatchObject({
      code: "not_found",
    });
    expect(starting.ecsMock.commandCalls(ExecuteCommandCommand)).toHaveLength(0);
  });
});

describe("writeFiles through ECS Exec", () => {
  it("writes files with folders and modes that read back byte for byte", async () => {
    const { orchestrator } = sandbox();
    const binary = randomBytes(3000);
    await orchestrator.writeFiles("cnt-abc12", [
      { path: "app/main.py", content: Buffer.from("print('héllo')\n") },
      { path: "app/data/blob.bin", content: binary },
      { path: "run.sh", content: Buffer.from("#!/bin/sh\necho ran\n"), mode: 0o755 },
    ]);
    const cat = await orchestrator.run("cnt-abc12", request(["cat", "app/main.py"]));
    expect(cat.stdout).toBe("print('héllo')\n");
    const blob = await orchestrator.run("cnt-abc12", request(["base64", "app/data/blob.bin"]));
    expect(Buffer.from(blob.stdout.replace(/\s/g, ""), "base64")).toEqual(binary);
    const script = await orchestrator.run("cnt-abc12", request(["./run.sh"]));
    expect(script).toMatchObject({ exitCode: 0, stdout: "ran\n" });
  });

  it("splits a large upload into ExecuteCommand strings within the limit", async () => {
    const { orchestrator, ecsMock } = sandbox({
      HUB_ECS_EXEC_COMMAND_MAX_CHARS: "2048",
      HUB_ECS_UPLOAD_CONCURRENCY: "3",
    });
    const content = randomBytes(12_000);
    await orchestrator.writeFiles("cnt-abc12", [{ path: "big.bin", content }]);
    const commands = ecsMock.commandCalls(ExecuteCommandCommand).map((call) => call.args[0].input.command!);
    expect(commands.length).toBeGreaterThan(10);
    for (const command of commands) expect(command.length).toBeLessThanOrEqual(2048);
    const back = await orchestrator.run("cnt-abc12", request(["base64", "big.bin"]));
    expect(Buffer.from(back.stdout.replace(/\s/g, ""), "base64")).toEqual(content);
    // The temporary parts are gone.
    const leftovers = await orchestrator.run(
      "cnt-abc12",
      request(["sh", "-c", "ls -d /tmp/.hub-upload-* 2>/dev/null | wc -l"]),
    );
    expect(leftovers.stdout.trim()).toBe("0");
  });

  it("refuses to write through a symbolic link the sandbox made", async () => {
    const { orchestrator } = sandbox();
    const outside = mkdtempSync(join(tmpdir(), "hub-ecs-outside-"));
    try {
      await orchestrator.run("cnt-abc12", request(["ln", "-s", outside, "escape"]));
      await expect(
        orchestrator.writeFiles("cnt-abc12", [{ path: "escape/owned.txt", content: Buffer.from("x") }]),
      ).rejects.toMatchObject({
        code: "invalid_request",
        message: expect.stringMatching(/escape is a symbolic link/),
      });
      const listing = await orchestrator.run("cnt-abc12", request(["ls", "-A", outside]));
      expect(listing.stdout).toBe("");
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it("reports a failed extraction with the container's message", async () => {
    const { orchestrator } = sandbox();
    await orchestrator.run("cnt-abc12", request(["mkdir", "-p", "taken/x"]));
    await expect(
      orchestrator.writeFiles("cnt-abc12", [
        { path: "taken", content: Buffer.from("a file where a folder is") },
      ]),
    ).rejects.toMatchObject({
      code: "container_failed",
      message: expect.stringMatching(/writing files in the sandbox failed \(exit code \d+\): .+/),
    });
  });
});
