import { readFileSync } from "node:fs";
import { DescribeTasksCommand, ExecuteCommandCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { request, useFakeAgent } from "./exec-harness.js";
import { taskArnOf } from "./fixtures.js";

const { agent, sandbox, workdir: currentWorkdir } = useFakeAgent();

/** Running, not a zombie (a killed orphan stays one until something reaps it). */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

describe("run through ECS Exec", () => {
  it("returns the exit code with stdout and stderr apart, undamaged by the pty", async () => {
    agent.handshake = true; // the handshake answer is checked below; the default path has none
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
    expect(result.stdout).toBe(`a b|it's|$HOME||hi 'there' $USER|${currentWorkdir()}/sub dir|`);
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
