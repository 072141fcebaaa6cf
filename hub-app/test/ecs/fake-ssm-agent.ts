/**
 * A fake of the far end of an ECS Exec session: a websocket server on 127.0.0.1 that speaks the
 * SSM agent side of the protocol (token, handshake, output_stream_data, acknowledgements,
 * channel_closed) and runs the session's command as amazon-ssm-agent 3.3.1142.0 does in a
 * container (agent/session/shell/shell_unix.go): split like a shell, on a real pty whose session
 * leader it is (agent-pty.py). So the pty merges stdout and stderr, turns "\n" into "\r\n", and
 * hangs up the foreground process group when the command's shell exits.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { WebSocketServer, type WebSocket } from "ws";
import {
  MESSAGE_TYPE,
  PAYLOAD_TYPE,
  decodeAgentMessage,
  encodeAgentMessage,
} from "../../src/orchestrator/ecs/ssm-protocol.js";

export type AgentBehaviour =
  /** Runs the command and streams its output in order. */
  | "normal"
  /** Streams the output with neighbouring frames swapped and one frame sent twice. */
  | "reordered"
  /** Sends a little output, then channel_closed without running the command. */
  | "closes-early";

/**
 * The tools the sandbox image has. `coreutils`: this machine's (GNU timeout moves itself into its
 * own process group, coreutils timeout.c, so the pty's hang-up misses what it started).
 * `busybox`: only busybox applets, as on Alpine (busybox timeout stays in the pty's foreground
 * group, so the hang-up reaches what the command started); `busybox-without-setsid` lacks setsid.
 */
export type SandboxImage = "coreutils" | "busybox" | "busybox-without-setsid";

export interface SessionRecord {
  readonly command: string;
  /** Resolves when the command's pty is drained and its program has exited. */
  ended?: Promise<void>;
  readonly token: Record<string, unknown>;
  handshakeResponse?: Record<string, unknown>;
  terminalSize?: Record<string, unknown>;
  readonly outputSequences: number[];
  readonly acknowledged: number[];
}

const PIECE_BYTES = 700;
const PTY_RUNNER = fileURLToPath(new URL("./agent-pty.py", import.meta.url));
/** Found on this machine's PATH once: a busybox image's PATH has no python. */
const PYTHON = execFileSync("python3", ["-c", "import sys; print(sys.executable)"], {
  encoding: "utf8",
}).trim();
const BUSYBOX = execFileSync("sh", ["-c", "command -v busybox"], { encoding: "utf8" }).trim();

export class FakeSsmAgent {
  behaviour: AgentBehaviour = "normal";
  image: SandboxImage = "coreutils";
  readonly sessions: SessionRecord[] = [];
  /** PATH folders of symbolic links to busybox applets, one per busybox image. */
  private readonly imageRoot = mkdtempSync(join(tmpdir(), "fake-ssm-images-"));
  private readonly pending = new Map<string, string>();
  private readonly children = new Set<ChildProcess>();
  private server: WebSocketServer | undefined;

  async start(): Promise<void> {
    const applets = execFileSync("busybox", ["--list"], { encoding: "utf8" }).split("\n").filter(Boolean);
    for (const image of ["busybox", "busybox-without-setsid"]) {
      mkdirSync(join(this.imageRoot, image));
      for (const applet of applets) {
        if (image === "busybox-without-setsid" && applet === "setsid") continue;
        symlinkSync(BUSYBOX, join(this.imageRoot, image, applet));
      }
    }
    const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    this.server = server;
    await new Promise<void>((resolve) => server.once("listening", resolve));
    server.on("connection", (socket) => this.serve(socket));
  }

  /** What ExecuteCommand returns for `command`: a session URL and a one-time token. */
  prepare(command: string): { streamUrl: string; tokenValue: string } {
    const token = randomUUID();
    this.pending.set(token, command);
    const { port } = this.server!.address() as AddressInfo;
    return {
      streamUrl: `ws://127.0.0.1:${port}/v1/data-channel/ecs-execute-command-${token}`,
      tokenValue: token,
    };
  }

  async stop(): Promise<void> {
    for (const child of this.children) child.kill("SIGKILL");
    for (const client of this.server?.clients ?? []) client.terminate();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    rmSync(this.imageRoot, { recursive: true, force: true });
  }

  private serve(socket: WebSocket): void {
    let session: SessionRecord | undefined;
    let sequence = 0;
    const frames: Buffer[] = [];
    const send = (
      payloadType: number,
      payload: Buffer,
      messageType: string = MESSAGE_TYPE.output,
    ): Buffer => {
      const frame = encodeAgentMessage({
        messageType,
        sequenceNumber: sequence,
        flags: 0,
        payloadType,
        payload,
      });
      if (messageType === MESSAGE_TYPE.output) session?.outputSequences.push(sequence++);
      return frame;
    };
    const closeChannel = (output: string): void => {
      const content = {
        MessageType: "channel_closed",
        MessageId: randomUUID(),
        SchemaVersion: 1,
        Output: output,
      };
      socket.send(send(0, Buffer.from(JSON.stringify(content)), MESSAGE_TYPE.channelClosed));
      socket.close();
    };

    socket.on("message", (data, isBinary) => {
      if (!isBinary) {
        const token = JSON.parse((data as Buffer).toString("utf8")) as Record<string, unknown>;
        const command = this.pending.get(String(token.TokenValue));
        if (command === undefined) {
          socket.close(4001, "unknown token");
          return;
        }
        session = { command, token, outputSequences: [], acknowledged: [] };
        this.sessions.push(session);
        const request = {
          AgentVersion: "3.3.0.0",
          RequestedClientActions: [
            { ActionType: "SessionType", ActionParameters: { SessionType: "InteractiveCommands" } },
          ],
        };
        socket.send(send(PAYLOAD_TYPE.handshakeRequest, Buffer.from(JSON.stringify(request))));
        return;
      }
      const message = decodeAgentMessage(data as Buffer);
      if (message.messageType === MESSAGE_TYPE.acknowledge) {
        const ack = JSON.parse(message.payload.toString()) as { AcknowledgedMessageSequenceNumber: number };
        session?.acknowledged.push(ack.AcknowledgedMessageSequenceNumber);
        return;
      }
      if (message.payloadType === PAYLOAD_TYPE.handshakeResponse && session !== undefined) {
        session.handshakeResponse = JSON.parse(message.payload.toString()) as Record<string, unknown>;
        socket.send(
          send(PAYLOAD_TYPE.handshakeComplete, Buffer.from(JSON.stringify({ HandshakeTimeToComplete: 1 }))),
        );
        this.runCommand(session, socket, send, frames, closeChannel);
      } else if (message.payloadType === PAYLOAD_TYPE.size && session !== undefined) {
        session.terminalSize = JSON.parse(message.payload.toString()) as Record<string, unknown>;
      }
    });
  }

  private runCommand(
    session: SessionRecord,
    socket: WebSocket,
    send: (payloadType: number, payload: Buffer) => Buffer,
    frames: Buffer[],
    closeChannel: (output: string) => void,
  ): void {
    if (this.behaviour === "closes-early") {
      socket.send(send(PAYLOAD_TYPE.output, Buffer.from("starting...\r\n")));
      closeChannel("Cannot perform start session: EOF");
      return;
    }
    const path = this.image === "coreutils" ? process.env.PATH : join(this.imageRoot, this.image);
    const child = spawn(PYTHON, [PTY_RUNNER, session.command], {
      stdio: ["pipe", "pipe", "inherit"],
      env: { ...process.env, PATH: path },
    });
    this.children.add(child);
    const onData = (chunk: Buffer): void => {
      for (let start = 0; start < chunk.length; start += PIECE_BYTES) {
        const frame = send(PAYLOAD_TYPE.output, chunk.subarray(start, start + PIECE_BYTES));
        if (this.behaviour === "reordered") frames.push(frame);
        else socket.send(frame);
      }
    };
    child.stdout.on("data", onData);
    session.ended = new Promise((resolve) =>
      child.on("close", () => {
        this.children.delete(child);
        if (this.behaviour === "reordered") sendShuffled(socket, frames);
        closeChannel("");
        resolve();
      }),
    );
  }
}

/** Swaps neighbouring frames and repeats the first, as a reconnecting agent might. */
function sendShuffled(socket: WebSocket, frames: readonly Buffer[]): void {
  const order: Buffer[] = [];
  for (let index = 0; index < frames.length; index += 2) {
    const [first, second] = [frames[index]!, frames[index + 1]];
    if (second !== undefined) order.push(second);
    order.push(first);
  }
  if (frames[0] !== undefined) order.push(frames[0]);
  for (const frame of order) socket.send(frame);
}
