/** The ECS exec tests' shared set-up: one fake SSM agent, a fresh working directory per test, a ready sandbox. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeTasksCommand, ExecuteCommandCommand, ListTasksCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, beforeEach } from "vitest";
import type { RunRequest } from "../../src/orchestrator/types.js";
import { FakeSsmAgent } from "./fake-ssm-agent.js";
import { ecsSettings, mockedOrchestrator, sandboxTask, taskArnOf } from "./fixtures.js";

/** Registers the hooks; `agent` and `workdir()` are valid inside tests. */
export function useFakeAgent() {
  const agent = new FakeSsmAgent();
  let workdir = "";
  beforeAll(async () => {
    await agent.start();
  });
  afterAll(async () => {
    await agent.stop();
  });
  beforeEach(() => {
    agent.behaviour = "normal";
    agent.image = "coreutils";
    agent.handshake = false;
    agent.outputDelayMs = 0;
    agent.sessions.length = 0;
    workdir = mkdtempSync(join(tmpdir(), "hub-ecs-exec-"));
    return () => rmSync(workdir, { recursive: true, force: true });
  });

  /** An orchestrator whose sandbox cnt-abc12 is a ready task and whose exec sessions reach the fake agent. */
  function sandbox(
    settings: Record<string, string> = {},
    phase: Parameters<typeof sandboxTask>[1] = "ready",
  ) {
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

  return { agent, sandbox, workdir: () => workdir };
}

export const request = (command: string[], extra: Partial<RunRequest> = {}): RunRequest => ({
  command,
  timeoutMs: 10_000,
  maxOutputBytes: 1024 * 1024,
  ...extra,
});
