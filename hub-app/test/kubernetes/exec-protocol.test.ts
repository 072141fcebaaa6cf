import { existsSync } from "node:fs";
import { join } from "node:path";
import { Exec } from "@kubernetes/client-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { execInPod } from "../../src/orchestrator/kubernetes/pod-exec.js";
import type { ContainerInfo, Orchestrator } from "../../src/orchestrator/types.js";
import { startFakeKubeApi, type FakeKubeApi } from "./fake-api-server.js";
import { V4_PROTOCOL, V5_PROTOCOL } from "./fake-exec.js";
import { NAMESPACE, failureOf, orchestratorOn, readySandbox } from "./fixtures.js";

let fake: FakeKubeApi;
let orchestrator: Orchestrator;
let sandbox: ContainerInfo;

beforeAll(async () => {
  fake = await startFakeKubeApi();
  orchestrator = orchestratorOn(fake);
  sandbox = await readySandbox(orchestrator);
});
afterEach(() => {
  fake.execProtocols = [V5_PROTOCOL, V4_PROTOCOL];
  fake.deniedAccess.clear();
});
afterAll(async () => {
  await orchestrator.close();
  await fake.close();
});

describe("exec as the API server negotiates and authorizes it", () => {
  it("refuses to write files when the API server only speaks v4, before sending any byte", async () => {
    fake.execProtocols = [V4_PROTOCOL];
    const error = await failureOf(
      orchestrator.writeFiles(sandbox.id, [{ path: "half.txt", content: Buffer.from("x".repeat(100_000)) }]),
    );
    expect(error.code).toBe("orchestrator_unavailable");
    expect(error.message).toMatch(/v5\.channel\.k8s\.io.*Kubernetes 1\.30/);
    expect(fake.execCalls.at(-1)?.protocol).toBe(V4_PROTOCOL);
    expect(existsSync(join(fake.execRoot, sandbox.id, "half.txt"))).toBe(false);
  });

  it("still runs commands over v4 (no stdin to close)", async () => {
    fake.execProtocols = [V4_PROTOCOL];
    const result = await orchestrator.run(sandbox.id, {
      command: ["sh", "-c", "echo v4; exit 2"],
      timeoutMs: 5000,
      maxOutputBytes: 1000,
    });
    expect(result).toMatchObject({ exitCode: 2, stdout: "v4\n" });
  });

  it("fails readiness for a Role that grants create but not get on pods/exec (the WebSocket upgrade is a GET)", async () => {
    fake.deniedAccess.add("get pods/exec");
    const strict = orchestratorOn(fake);
    const denied = await failureOf(strict.ping());
    expect(denied.message).toMatch(/get pods\/exec/);
    // And the API server does refuse the exec itself, as readiness said it would.
    const refused = await failureOf(
      strict.run(sandbox.id, { command: ["true"], timeoutMs: 5000, maxOutputBytes: 100 }),
    );
    expect(refused.message).toMatch(/403/);
    await strict.close();
  });

  it("pings a silent exec stream so load balancers in front of the API server keep it open", async () => {
    const exec = new Exec(fake.kubeConfig());
    const outcome = await execInPod(
      exec,
      { namespace: NAMESPACE, pod: sandbox.id, container: "sandbox" },
      ["sh", "-c", "sleep 1; echo done"],
      { deadlineMs: 10_000, maxOutputBytes: 1000, pingIntervalMs: 100 },
    );
    expect(outcome).toMatchObject({ exitCode: 0, stdout: "done\n" });
    expect(fake.execCalls.at(-1)!.pings).toBeGreaterThanOrEqual(5);
  });
});
