/**
 * The exec subresource of the fake API server: a WebSocket that speaks v5.channel.k8s.io (or v4)
 * (channel byte + data; 0 stdin, 1 stdout, 2 stderr, 3 status; 255 + channel closes a stream).
 * The command really runs, here, with the container's working directory mapped to a directory
 * per Pod, so what the Hub sends (its sh scripts, its tar streams) is tested for real.
 */
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { WebSocket } from "ws";

export const V5_PROTOCOL = "v5.channel.k8s.io";
/** Before v5 (Kubernetes 1.29 alpha, 1.30 on by default) a client could not half-close stdin. */
export const V4_PROTOCOL = "v4.channel.k8s.io";
const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;
const CLOSE = 255;

/** `run` executes the command; `close-without-status` hangs up as a dying node would. */
export type ExecMode = "run" | "close-without-status";

export interface ExecCall {
  readonly pod: string;
  readonly container: string;
  readonly argv: string[];
  readonly stdin: boolean;
  /** The container's own env from the Pod spec: a real exec'd process starts with it. */
  readonly env?: Readonly<Record<string, string>>;
  /** The subprotocol the server chose. */
  readonly protocol: string;
  /** Websocket pings the client sent. */
  pings: number;
}

function frame(channel: number, data: Buffer | string): Buffer {
  const body = typeof data === "string" ? Buffer.from(data) : data;
  return Buffer.concat([Buffer.from([channel]), body]);
}

/** The Status the kubelet sends on channel 3 when the command ends. */
export function exitStatus(code: number): Record<string, unknown> {
  if (code === 0) return { metadata: {}, status: "Success" };
  return {
    metadata: {},
    status: "Failure",
    message: `command terminated with non-zero exit code: exit status ${code}`,
    reason: "NonZeroExitCode",
    details: { causes: [{ reason: "ExitCode", message: String(code) }] },
  };
}

/** Runs `call` with `workdir` (the container's) mapped to `<root>/<pod>`, wired to the socket. */
export function serveExec(
  socket: WebSocket,
  call: ExecCall,
  root: string,
  workdir: string,
  mode: ExecMode,
): void {
  if (mode === "close-without-status") {
    socket.send(frame(STDOUT, "partial output"), () => socket.close());
    return;
  }
  const podDir = join(root, call.pod);
  mkdirSync(podDir, { recursive: true });
  const inPod = (text: string) => text.split(workdir).join(podDir);
  const argv = call.argv.map(inPod);
  const [program = "", ...args] = argv;
  const env = Object.fromEntries(Object.entries(call.env ?? {}).map(([name, value]) => [name, inPod(value)]));
  const child = spawn(program, args, {
    cwd: podDir,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
    stdio: [call.stdin ? "pipe" : "ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk: Buffer) => socket.send(frame(STDOUT, chunk)));
  child.stderr?.on("data", (chunk: Buffer) => socket.send(frame(STDERR, chunk)));
  socket.on("message", (data: Buffer) => {
    if (data[0] === CLOSE && data[1] === 0) child.stdin?.end();
    else if (data[0] === 0) child.stdin?.write(data.subarray(1));
  });
  // The Hub hanging up (its own timeout) kills the command, as the kubelet's stream teardown would.
  socket.on("close", () => child.kill("SIGKILL"));
  child.on("error", (error) => {
    const status = {
      metadata: {},
      status: "Failure",
      reason: "InternalError",
      message: `exec failed: ${error.message}`,
    };
    socket.send(frame(STATUS, JSON.stringify(status)), () => socket.close());
  });
  child.on("close", (code, signal) => {
    if (socket.readyState !== socket.OPEN) return;
    const exitCode = code ?? (signal === null ? 1 : 128 + 9);
    socket.send(frame(STATUS, JSON.stringify(exitStatus(exitCode))), () => socket.close());
  });
}
