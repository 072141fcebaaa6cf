import { existsSync } from "node:fs";
import { join } from "node:path";
import { Exec } from "@kubernetes/client-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { execInPod } from "../../src/orchestrator/kubernetes/pod-exec.js";
import type { ContainerInfo, Orchestrator, RunRequest } from "../../src/orchestrator/types.js";
import { startFakeKubeApi, type FakeKubeApi } from "./fake-api-server.js";
import { V4_PROTOCOL, V5_PROTOCOL } from "./fake-exec.js";
import { NAMESPACE, containerSpec, failureOf, orchestratorOn, readySandbox } from "./fixtures.js";

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

const request = (command: string[], extra: Partial<RunRequest> = {}): RunRequest => ({
  command,
  timeoutMs: 10_000,
  maxOutputBytes: 1024 * 1024,
  ...extra,
});

describe("running commands over the exec WebSocket", () => {
  it("returns stdout, stderr and the exit code from the status channel", async () => {
    const result = await orchestrator.run(
      sandbox.id,
      request(["sh", "-c", "echo out; echo err >&2; exit 3"]),
    );
    expect(result).toMatchObject({
      exitCode: 3,
      stdout: "out\n",
      stderr: "err\n",
      timedOut: false,
      truncated: false,
    });
    expect(fake.execCalls.at(-1)).toMatchObject({ pod: sandbox.id, container: "sandbox", stdin: false });
    expect(fake.execCalls.at(-1)?.argv.slice(0, 2)).toEqual(["/bin/sh", "-c"]);
  });

  it("reports exit code 0 from a Success status", async () => {
    const result = await orchestrator.run(sandbox.id, request(["true"]));
    expect(result.exitCode).toBe(0);
  });

  it("passes arguments, env and cwd through without shell interpretation", async () => {
    await orchestrator.writeFiles(sandbox.id, [{ path: "sub/keep", content: Buffer.from("") }]);
    const result = await orchestrator.run(
      sandbox.id,
      request(
        ["sh", "-c", 'printf "%s|%s|%s" "$1" "$GREETING" "$(basename "$PWD")"', "sh", "$(rm -rf /); 'x'"],
        {
          env: { GREETING: "hello world" },
          cwd: "sub",
        },
      ),
    );
    expect(result.stdout).toBe("$(rm -rf /); 'x'|hello world|sub");
  });

  it("cuts output at the cap and says so", async () => {
    const result = await orchestrator.run(
      sandbox.id,
      request(["sh", "-c", "head -c 5000 /dev/zero | tr '\\0' a"], { maxOutputBytes: 1000 }),
    );
    expect(result.stdout).toBe("a".repeat(1000));
    expect(result.truncated).toBe(true);
  });

  it("kills a command past its timeout and reports timedOut without an exit code", async () => {
    const result = await orchestrator.run(sandbox.id, request(["sleep", "30"], { timeoutMs: 1000 }));
    expect(result).toMatchObject({ exitCode: null, timedOut: true });
    expect(result.durationMs).toBeGreaterThanOrEqual(1000);
    expect(result.durationMs).toBeLessThan(10_000);
  });

  it("returns while a background process the command started keeps running", async () => {
    const started = await orchestrator.run(
      sandbox.id,
      request(["sh", "-c", "sleep 20 & echo $! > server.pid; echo started"], { timeoutMs: 5000 }),
    );
    expect(started).toMatchObject({ exitCode: 0, stdout: "started\n", timedOut: false });
    const alive = await orchestrator.run(
      sandbox.id,
      request(["sh", "-c", 'kill -0 "$(cat server.pid)" && echo alive']),
    );
    expect(alive.stdout).toBe("alive\n");
    await orchestrator.run(sandbox.id, request(["sh", "-c", 'kill "$(cat server.pid)"']));
  });

  it("treats a socket closed without a status as an error, never as success", async () => {
    fake.execMode = "close-without-status";
    try {
      const error = await failureOf(orchestrator.run(sandbox.id, request(["true"])));
      expect(error.code).toBe("container_failed");
      expect(error.message).toMatch(/closed before the command reported its exit status/);
    } finally {
      fake.execMode = "run";
    }
  });

  it("answers 404 for a run cut short by the sandbox's deletion", async () => {
    const doomed = await readySandbox(orchestrator);
    fake.kubeletStepMs = 5000; // the pod lingers as terminating, as a real one does for its grace period
    fake.execMode = "close-without-status"; // what the kubelet does to an exec when it kills the container
    try {
      expect(await orchestrator.delete(doomed.id)).toBe(true);
      const error = await failureOf(orchestrator.run(doomed.id, request(["sleep", "30"])));
      expect(error.code).toBe("not_found");
    } finally {
      fake.execMode = "run";
      fake.kubeletStepMs = 5;
    }
  });

  it("answers 404 for an unknown sandbox and conflict for one not ready yet", async () => {
    const missing = await failureOf(orchestrator.run("cnt-absent1", request(["true"])));
    expect(missing.code).toBe("not_found");

    const spec = containerSpec({ image: "python:stuck" });
    await orchestrator.create(spec);
    const pending = await failureOf(orchestrator.run(spec.id, request(["true"])));
    expect(pending.code).toBe("conflict");
    expect(pending.message).toMatch(/is pending, not ready for commands/);
  });

  it("explains a refused exec handshake by the pod's state", async () => {
    fake.failNext("EXEC", /\/exec$/, 403, "Forbidden", "forbidden");
    const error = await failureOf(orchestrator.run(sandbox.id, request(["true"])));
    expect(error.code).toBe("container_failed");
    expect(error.message).toMatch(/cannot open an exec session in pod .*403/);
  });
});

describe("writing files through exec + tar", () => {
  it("writes nested files with their modes and reads them back, awaiting tar's exit", async () => {
    const script = "#!/bin/sh\necho from script\n";
    await orchestrator.writeFiles(sandbox.id, [
      { path: "hello.txt", content: Buffer.from("héllo\n") },
      { path: "bin/run.sh", content: Buffer.from(script), mode: 0o755 },
      { path: "data.bin", content: Buffer.from([0, 1, 2, 255]) },
    ]);
    const cat = await orchestrator.run(sandbox.id, request(["cat", "hello.txt"]));
    expect(cat.stdout).toBe("héllo\n");
    const run = await orchestrator.run(sandbox.id, request(["./bin/run.sh"]));
    expect(run.stdout).toBe("from script\n");
    const bytes = await orchestrator.run(sandbox.id, request(["od", "-An", "-tu1", "data.bin"]));
    expect(bytes.stdout.trim().split(/\s+/)).toEqual(["0", "1", "2", "255"]);
    expect(fake.execCalls.some((call) => call.stdin && call.argv[0] === "tar")).toBe(true);
  });

  it("streams a large upload in chunks and it arrives whole", async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, "x");
    await orchestrator.writeFiles(sandbox.id, [{ path: "big.txt", content: big }]);
    const size = await orchestrator.run(sandbox.id, request(["wc", "-c", "big.txt"]));
    expect(size.stdout.trim()).toBe(`${big.length} big.txt`);
  });

  it("turns a tar failure into a clear invalid_request", async () => {
    await orchestrator.writeFiles(sandbox.id, [{ path: "blocker", content: Buffer.from("a file") }]);
    const error = await failureOf(
      orchestrator.writeFiles(sandbox.id, [{ path: "blocker/inside.txt", content: Buffer.from("x") }]),
    );
    expect(error.code).toBe("invalid_request");
    expect(error.message).toMatch(/cannot write the files: .*blocker/);
  });
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
