import { describe, expect, it } from "vitest";
import { runSsmSession } from "../../src/orchestrator/ecs/exec-session.js";
import { REALISTIC_OUTPUT_DELAY_MS } from "./fake-ssm-agent.js";
import { request, useFakeAgent } from "./exec-harness.js";

const { agent, sandbox } = useFakeAgent();
const MIB = 1024 * 1024;

describe("the SSM session as the real agent speaks it", () => {
  it.each([
    ["the default path (no handshake, command at once)", () => undefined],
    ["the handshake path", () => (agent.handshake = true)],
    ["lost messages the agent resends", () => (agent.behaviour = "lossy")],
    ["messages out of order and repeated", () => (agent.behaviour = "reordered")],
  ])("brings back output at the 1 MiB cap through %s", async (_name, arrange) => {
    arrange();
    const { orchestrator } = sandbox();
    const result = await orchestrator.run(
      "cnt-abc12",
      request(
        [
          "sh",
          "-c",
          `head -c ${MIB + 5000} /dev/zero | tr '\\0' y; head -c ${MIB + 5} /dev/zero | tr '\\0' e >&2`,
        ],
        {
          timeoutMs: 30_000,
        },
      ),
    );
    expect(result.stdout).toBe("y".repeat(MIB));
    expect(result.stderr).toBe("e".repeat(MIB));
    expect(result).toMatchObject({ exitCode: 0, truncated: true });
  });

  it("skips frames it cannot use (cut short, bad digest, publication control) instead of failing", async () => {
    agent.behaviour = "odd-frames";
    const { orchestrator } = sandbox();
    const result = await orchestrator.run("cnt-abc12", request(["sh", "-c", "echo fine"]));
    expect(result).toMatchObject({ exitCode: 0, stdout: "fine\n" });
  });

  it("works with the agent's one-second wait before it reads the pty", async () => {
    agent.outputDelayMs = REALISTIC_OUTPUT_DELAY_MS;
    const { orchestrator } = sandbox();
    const result = await orchestrator.run("cnt-abc12", request(["echo", "late"]));
    expect(result).toMatchObject({ exitCode: 0, stdout: "late\n" });
  });

  it("pings a silent session so proxies keep it open", async () => {
    const endpoint = agent.prepare("sh -c 'sleep 1; echo done'");
    let output = "";
    await runSsmSession(endpoint, {
      timeoutMs: 10_000,
      pingIntervalMs: 100,
      onOutput: (chunk) => (output += chunk.toString()).includes("done"),
    });
    expect(agent.sessions[0]!.pings).toBeGreaterThanOrEqual(5);
  });
});
