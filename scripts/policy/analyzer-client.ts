/**
 * The policy pack as the Pulumi CLI runs it: `@pulumi/pulumi/cmd/run-policy-pack <engine> .` in the
 * pack's folder (ts-node with type checking, as `pulumi preview --policy-pack` does), which prints the
 * port of its gRPC Analyzer service; then the same calls the engine makes (pulumi/pulumi
 * sdk/go/common/resource/plugin/analyzer_plugin.go). Listens on 127.0.0.1 only.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { once } from "node:events";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import type * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";

/** Nothing in the pack calls back into an engine; the CLI passes its address, so something is passed. */
const NO_ENGINE = "127.0.0.1:0";
const START_DEADLINE_MS = 120_000;
/** The engine's own limit for analyzer messages (plugin.go, maxRPCMessageSize). */
const MAX_MESSAGE_BYTES = 400 * 1024 * 1024;

export class PolicyPackProcess {
  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly client: AnalyzerClient,
  ) {}

  static async start(packDir: string): Promise<PolicyPackProcess> {
    const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
    const child = spawn(process.execPath, [runner, NO_ENGINE, "."], { cwd: packDir });
    const port = await readPort(child);
    const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
      "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
      "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
    });
    return new PolicyPackProcess(child, client);
  }

  info(): Promise<analyzer.AnalyzerInfo> {
    return new Promise((resolve, reject) =>
      this.client.getAnalyzerInfo(new Empty(), (err, res) => (err ? reject(err) : resolve(res))),
    );
  }

  analyze(request: analyzer.AnalyzeRequest): Promise<analyzer.AnalyzeResponse> {
    return new Promise((resolve, reject) =>
      this.client.analyze(request, (err, res) => (err ? reject(err) : resolve(res))),
    );
  }

  analyzeStack(request: analyzer.AnalyzeStackRequest): Promise<analyzer.AnalyzeResponse> {
    return new Promise((resolve, reject) =>
      this.client.analyzeStack(request, (err, res) => (err ? reject(err) : resolve(res))),
    );
  }

  async stop(): Promise<void> {
    this.client.close();
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, "exit");
    this.child.kill("SIGTERM");
    await exited;
  }
}

/** The first line the pack prints is its port; anything else before it exits is why it failed. */
async function readPort(child: ChildProcessWithoutNullStreams): Promise<number> {
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the policy pack printed no port within ${START_DEADLINE_MS / 1000} s\n${stderr}`));
    }, START_DEADLINE_MS);
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = /^(\d+)\s*$/m.exec(stdout);
      if (line) {
        clearTimeout(timer);
        resolve(Number(line[1]));
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the policy pack exited (${code}) before serving:\n${stderr || stdout}`));
    });
  });
}
