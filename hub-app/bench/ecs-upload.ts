/**
 * ECS file upload benchmark: writes files of the given sizes into a sandbox through the ECS
 * orchestrator, whose ExecuteCommand calls answer after --api-latency-ms and whose sessions reach
 * the fake SSM agent (test/ecs/fake-ssm-agent.ts) with the real agent's delays: one second before
 * it reads the pty (amazon-ssm-agent shell.go, writePump), 1 KiB output messages, acknowledgements.
 * Prints, per size, the time, the number of ExecuteCommand sessions and the throughput.
 *
 *   npx tsx hub-app/bench/ecs-upload.ts [--sizes 64K,1M,10M] [--api-latency-ms 150]
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  DescribeTasksCommand,
  ECSClient,
  ExecuteCommandCommand,
  ListTasksCommand,
} from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { pino } from "pino";
import { createEcsOrchestrator } from "../src/orchestrator/ecs/index.js";
import { FakeSsmAgent, REALISTIC_OUTPUT_DELAY_MS } from "../test/ecs/fake-ssm-agent.js";
import { ecsSettings, sandboxTask, taskArnOf } from "../test/ecs/fixtures.js";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "64K,1M,10M" },
    "api-latency-ms": { type: "string", default: "150" },
  },
});
const UNITS: Record<string, number> = { "": 1, K: 1024, M: 1024 * 1024 };
const sizes = values.sizes.split(",").map((text) => {
  const match = /^(\d+)([KM]?)$/.exec(text.trim());
  if (match === null) throw new Error(`--sizes takes numbers with an optional K or M suffix, got ${text}`);
  return Number(match[1]) * UNITS[match[2]!]!;
});
const apiLatencyMs = Number(values["api-latency-ms"]);
if (!Number.isFinite(apiLatencyMs) || apiLatencyMs < 0) throw new Error("--api-latency-ms must be >= 0");

const agent = new FakeSsmAgent();
agent.outputDelayMs = REALISTIC_OUTPUT_DELAY_MS;
await agent.start();
const workdir = await mkdtemp(join(tmpdir(), "hub-bench-ecs-upload-"));
const ecs = new ECSClient({ region: "eu-west-1" });
const ecsMock = mockClient(ecs);
ecsMock.on(ListTasksCommand).resolves({ taskArns: [taskArnOf("cnt-bench")] });
ecsMock.on(DescribeTasksCommand).resolves({ tasks: [sandboxTask("cnt-bench", "ready")] });
ecsMock.on(ExecuteCommandCommand).callsFake(async (input: { command: string }) => {
  await new Promise((resolve) => setTimeout(resolve, apiLatencyMs));
  return { session: { sessionId: "s", ...agent.prepare(input.command) } };
});
const orchestrator = createEcsOrchestrator(
  ecsSettings({ HUB_ECS_WORKDIR: workdir }),
  { instance: "hub-test", logger: pino({ level: "silent" }) },
  { ecs },
);

try {
  console.log(
    `ExecuteCommand latency ${apiLatencyMs} ms, agent output delay ${REALISTIC_OUTPUT_DELAY_MS} ms`,
  );
  console.log("size        seconds  sessions  MiB/s");
  for (const size of sizes) {
    const content = randomBytes(size);
    const sessionsBefore = ecsMock.commandCalls(ExecuteCommandCommand).length;
    const started = performance.now();
    await orchestrator.writeFiles("cnt-bench", [{ path: `upload-${size}.bin`, content }]);
    const seconds = (performance.now() - started) / 1000;
    const sessions = ecsMock.commandCalls(ExecuteCommandCommand).length - sessionsBefore;
    if (!(await readFile(join(workdir, `upload-${size}.bin`))).equals(content))
      throw new Error(`the ${size}-byte upload did not read back`);
    const label = `${size} B`.padEnd(12);
    console.log(
      `${label}${seconds.toFixed(2).padStart(7)}  ${String(sessions).padStart(8)}  ${(size / 1048576 / seconds).toFixed(3)}`,
    );
  }
} finally {
  await orchestrator.close();
  await agent.stop();
  await rm(workdir, { recursive: true, force: true });
}
