import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExecuteCommandCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { request, useFakeAgent } from "./exec-harness.js";

const { agent, sandbox, workdir } = useFakeAgent();

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

  it("streams a large upload through one session's stdin, byte for byte", async () => {
    const { orchestrator, ecsMock } = sandbox();
    // Every byte value, including the pty's special characters (^C, ^D, ^S, ^Q, CR, DEL).
    const content = Buffer.concat([
      Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
      randomBytes(1024 * 1024),
    ]);
    await orchestrator.writeFiles("cnt-abc12", [{ path: "big.bin", content }]);
    expect(ecsMock.commandCalls(ExecuteCommandCommand)).toHaveLength(1);
    expect(agent.sessions[0]!.inputBytes).toBeGreaterThan(content.length);
    expect(readFileSync(join(workdir(), "big.bin"))).toEqual(content);
  });

  it.each(["busybox", "coreutils"] as const)("writes through %s's stty, head and tar", async (image) => {
    const { orchestrator } = sandbox();
    agent.image = image;
    const content = randomBytes(200_000);
    await orchestrator.writeFiles("cnt-abc12", [
      { path: "deep/er/data.bin", content },
      { path: "deep/note.txt", content: Buffer.from("\x03\x04\r\n") },
    ]);
    expect(readFileSync(join(workdir(), "deep/er/data.bin"))).toEqual(content);
    expect(readFileSync(join(workdir(), "deep/note.txt"), "latin1")).toBe("\x03\x04\r\n");
  });

  it("waits for the agent to take input before the pty runs (no input lost to a slow start)", async () => {
    const { orchestrator } = sandbox();
    agent.outputDelayMs = 1000;
    agent.handshake = true;
    const content = randomBytes(50_000);
    await orchestrator.writeFiles("cnt-abc12", [{ path: "slow.bin", content }]);
    expect(readFileSync(join(workdir(), "slow.bin"))).toEqual(content);
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
