/**
 * Commands and files through a real kube-apiserver 1.34: the client's v5.channel.k8s.io WebSocket,
 * which the API server translates to the kubelet's streaming protocol (feature
 * TranslateStreamCloseWebsocketRequests, on by default since 1.30), to kwok, which runs the
 * command on this machine in the Hub's working directory.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ContainerInfo, RunRequest } from "../../../src/orchestrator/types.js";
import { containerSpec, failureOf } from "../fixtures.js";
import { cluster, realOrchestrator, type RealOrchestrator } from "./real-cluster.js";

let hub: RealOrchestrator;
let sandbox: ContainerInfo;

beforeAll(async () => {
  hub = await realOrchestrator();
  const spec = containerSpec({ env: { LANGUAGE: "python" } });
  await hub.orchestrator.create(spec);
  sandbox = await hub.orchestrator.waitReady(spec.id, 30_000);
});
afterAll(async () => {
  await hub.orchestrator.delete(sandbox.id);
  await hub.orchestrator.close();
});

const request = (command: string[], extra: Partial<RunRequest> = {}): RunRequest => ({
  command,
  timeoutMs: 10_000,
  maxOutputBytes: 1024 * 1024,
  ...extra,
});

describe("running commands through the API server's exec", () => {
  it("returns stdout, stderr and the exit code from the status channel", async () => {
    const result = await hub.orchestrator.run(
      sandbox.id,
      request(["sh", "-c", "echo out; echo err >&2; exit 3"]),
    );
    expect(result).toMatchObject({ exitCode: 3, stdout: "out\n", stderr: "err\n", timedOut: false });
  });

  it("reports exit code 0 and runs in the Hub's working directory with the sandbox's and the request's env", async () => {
    const result = await hub.orchestrator.run(
      sandbox.id,
      request(["sh", "-c", 'printf "%s|%s|%s" "$PWD" "$GREETING" "$LANGUAGE"'], {
        env: { GREETING: "hello world" },
      }),
    );
    // LANGUAGE is the sandbox's own env (the Pod spec), which every exec'd process inherits.
    expect(result).toMatchObject({ exitCode: 0, stdout: `${hub.workdir}|hello world|python` });
  });

  it("cuts output at the cap and says so", async () => {
    const result = await hub.orchestrator.run(
      sandbox.id,
      request(["sh", "-c", "head -c 5000 /dev/zero | tr '\\0' a"], { maxOutputBytes: 1000 }),
    );
    expect(result.stdout).toBe("a".repeat(1000));
    expect(result.truncated).toBe(true);
  });

  it("kills a command past its timeout and reports timedOut without an exit code", async () => {
    const result = await hub.orchestrator.run(sandbox.id, request(["sleep", "30"], { timeoutMs: 1000 }));
    expect(result).toMatchObject({ exitCode: null, timedOut: true });
    expect(result.durationMs).toBeLessThan(15_000);
  });

  it("answers 404 for a sandbox the API server does not know", async () => {
    const error = await failureOf(hub.orchestrator.run("cnt-absent1", request(["true"])));
    expect(error.code).toBe("not_found");
  });
});

describe("writing files through exec + tar on stdin", () => {
  it("writes nested files with their modes and reads them back", async () => {
    await hub.orchestrator.writeFiles(sandbox.id, [
      { path: "hello.txt", content: Buffer.from("héllo\n") },
      { path: "bin/run.sh", content: Buffer.from("#!/bin/sh\necho from script\n"), mode: 0o755 },
      { path: "data.bin", content: Buffer.from([0, 1, 2, 255]) },
    ]);
    const cat = await hub.orchestrator.run(sandbox.id, request(["cat", "hello.txt"]));
    expect(cat.stdout).toBe("héllo\n");
    const run = await hub.orchestrator.run(sandbox.id, request(["./bin/run.sh"]));
    expect(run.stdout).toBe("from script\n");
    const bytes = await hub.orchestrator.run(sandbox.id, request(["od", "-An", "-tu1", "data.bin"]));
    expect(bytes.stdout.trim().split(/\s+/)).toEqual(["0", "1", "2", "255"]);
  });

  it("streams a 3 MiB upload through the API server and it arrives whole", async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, "x");
    await hub.orchestrator.writeFiles(sandbox.id, [{ path: "big.txt", content: big }]);
    const size = await hub.orchestrator.run(sandbox.id, request(["wc", "-c", "big.txt"]));
    expect(size.stdout.trim()).toBe(`${big.length} big.txt`);
  });

  it("turns a tar failure into a clear invalid_request", async () => {
    await hub.orchestrator.writeFiles(sandbox.id, [{ path: "blocker", content: Buffer.from("a file") }]);
    const error = await failureOf(
      hub.orchestrator.writeFiles(sandbox.id, [{ path: "blocker/inside.txt", content: Buffer.from("x") }]),
    );
    expect(error.code).toBe("invalid_request");
    expect(error.message).toMatch(/cannot write the files: .*blocker/);
  });
});

describe("a sandbox that is not ready", () => {
  it("says why a pod that cannot start takes no commands, and 404 once it is deleted", async () => {
    const { orchestrator } = hub;
    const spec = containerSpec({ image: cluster().unpullableImage });
    await orchestrator.create(spec);
    await expect
      .poll(async () => (await orchestrator.get(spec.id))?.status, { timeout: 30_000 })
      .toBe("failed");
    const stopped = await failureOf(orchestrator.run(spec.id, request(["true"])));
    expect(stopped.code).toBe("container_failed");
    expect(await orchestrator.delete(spec.id)).toBe(true);
    await expect.poll(() => orchestrator.get(spec.id), { timeout: 30_000 }).toBeUndefined();
    const gone = await failureOf(orchestrator.run(spec.id, request(["true"])));
    expect(gone.code).toBe("not_found");
  });
});
