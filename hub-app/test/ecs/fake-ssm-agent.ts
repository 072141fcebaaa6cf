/**
 * A fake of the far end of an ECS Exec session: a websocket server on 127.0.0.1 that speaks the
 * SSM agent side of the protocol and runs the session's command as amazon-ssm-agent 3.3.1142.0
 * does in a container (agent/session/shell/shell_unix.go): split like a shell, on a real pty whose
 * session leader it is (agent-pty.py). So the pty merges stdout and stderr, turns "\n" into
 * "\r\n", echoes input unless the command turns that off, and hangs up the foreground process
 * group when the command's shell exits. For InteractiveCommands without KMS the agent skips the
 * handshake and starts the command at once (agent/session/plugins/sessionplugin/sessionplugin.go,
 * interactivecommands RequireHandshake false); `handshake` plays the other path. Sequencing,
 * acknowledgements and resends: fake-ssm-session.ts.
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { WebSocketServer, type WebSocket } from "ws";
import { MESSAGE_TYPE, PAYLOAD_TYPE, decodeAgentMessage } from "../../src/orchestrator/ecs/ssm-protocol.js";
import { FakeSession, type SessionConduct, type SessionRecord } from "./fake-ssm-session.js";

export type { SessionRecord } from "./fake-ssm-session.js";

export type AgentBehaviour =
  /** Runs the command and streams its output in order. */
  | "normal"
  /** Streams the output with neighbouring frames swapped and one frame sent twice. */
  | "reordered"
  /** Loses three output messages the first time; the agent's resend (one every 100 ms) brings them. */
  | "lossy"
  /** Sends frames a client must skip (cut short, bad digest, publication control) first. */
  | "odd-frames"
  /** Sends a little output, then channel_closed without running the command. */
  | "closes-early";

const CONDUCT: Record<AgentBehaviour, SessionConduct> = {
  normal: {},
  reordered: { reorder: true },
  lossy: { dropSequences: [2, 40, 400] },
  "odd-frames": { oddFrames: true },
  "closes-early": {},
};

/** The delays of a real agent: writePump's one-second wait before reading the pty (shell.go). */
export const REALISTIC_OUTPUT_DELAY_MS = 1000;

/**
 * The tools the sandbox image has. `coreutils`: this machine's (GNU timeout moves itself into its
 * own process group, coreutils timeout.c, so the pty's hang-up misses what it started).
 * `busybox`: only busybox applets, as on Alpine (busybox timeout stays in the pty's foreground
 * group, so the hang-up reaches what the command started); `busybox-without-setsid` lacks setsid.
 */
export type SandboxImage = "coreutils" | "busybox" | "busybox-without-setsid";

const PTY_RUNNER = fileURLToPath(new URL("./agent-pty.py", import.meta.url));
/** Found on this machine's PATH once: a busybox image's PATH has no python. */
const PYTHON = execFileSync("python3", ["-c", "import sys; print(sys.executable)"], {
  encoding: "utf8",
}).trim();
const BUSYBOX = execFileSync("sh", ["-c", "command -v busybox"], { encoding: "utf8" }).trim();

export class FakeSsmAgent {
  behaviour: AgentBehaviour = "normal";
  /** Ask for the handshake first (the path a KMS-less session takes only when the plugin requires it). */
  handshake = false;
  /** Milliseconds before the agent starts reading the pty; REALISTIC_OUTPUT_DELAY_MS as the agent does. */
  outputDelayMs = 0;
  image: SandboxImage = "coreutils";
  readonly sessions: SessionRecord[] = [];
  /** PATH folders of symbolic links to busybox applets, one per busybox image. */
  private readonly imageRoot = mkdtempSync(join(tmpdir(), "fake-ssm-images-"));
  private readonly pending = new Map<string, { command: string; env: Readonly<Record<string, string>> }>();
  private readonly live = new Set<FakeSession>();
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

  /**
   * What ExecuteCommand returns for `command`: a session URL and a one-time token. `env` is the
   * container's own env (its task's overrides), which the agent's session starts with.
   */
  prepare(
    command: string,
    env: Readonly<Record<string, string>> = {},
  ): { streamUrl: string; tokenValue: string } {
    const token = randomUUID();
    this.pending.set(token, { command, env });
    const { port } = this.server!.address() as AddressInfo;
    return {
      streamUrl: `ws://127.0.0.1:${port}/v1/data-channel/ecs-execute-command-${token}`,
      tokenValue: token,
    };
  }

  async stop(): Promise<void> {
    for (const session of this.live) session.kill();
    for (const client of this.server?.clients ?? []) client.terminate();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    rmSync(this.imageRoot, { recursive: true, force: true });
  }

  private serve(socket: WebSocket): void {
    let session: FakeSession | undefined;
    socket.on("ping", () => session && session.record.pings++);
    socket.on("message", (data, isBinary) => {
      if (!isBinary) {
        session = this.open(socket, JSON.parse((data as Buffer).toString("utf8")) as Record<string, unknown>);
        return;
      }
      if (session === undefined) return;
      const message = decodeAgentMessage(data as Buffer);
      if (message.messageType === MESSAGE_TYPE.acknowledge) {
        const ack = JSON.parse(message.payload.toString()) as { AcknowledgedMessageSequenceNumber: number };
        session.acknowledged(ack.AcknowledgedMessageSequenceNumber);
      } else if (message.messageType === MESSAGE_TYPE.input) {
        const wasHandshake = message.payloadType === PAYLOAD_TYPE.handshakeResponse;
        session.input(message);
        if (wasHandshake && session.record.handshakeResponse !== undefined && !this.started.has(session)) {
          this.started.add(session);
          session.sendOutput(
            PAYLOAD_TYPE.handshakeComplete,
            Buffer.from(JSON.stringify({ HandshakeTimeToComplete: 1 })),
          );
          session.handshakeComplete();
          this.run(session);
        }
      }
    });
  }

  private readonly started = new WeakSet<FakeSession>();

  private open(socket: WebSocket, token: Record<string, unknown>): FakeSession | undefined {
    const pending = this.pending.get(String(token.TokenValue));
    if (pending === undefined) {
      socket.close(4001, "unknown token");
      return undefined;
    }
    const record: SessionRecord = {
      command: pending.command,
      env: pending.env,
      token,
      outputSequences: [],
      acknowledged: [],
      inputBytes: 0,
      pings: 0,
    };
    this.sessions.push(record);
    const session = new FakeSession(socket, record, CONDUCT[this.behaviour], this.handshake);
    this.live.add(session);
    socket.on("close", () => this.live.delete(session));
    if (this.handshake) {
      const request = {
        AgentVersion: "3.3.1142.0",
        RequestedClientActions: [
          { ActionType: "SessionType", ActionParameters: { SessionType: "InteractiveCommands" } },
        ],
      };
      session.sendOutput(PAYLOAD_TYPE.handshakeRequest, Buffer.from(JSON.stringify(request)));
    } else {
      this.run(session);
    }
    return session;
  }

  private run(session: FakeSession): void {
    if (this.behaviour === "closes-early") {
      session.sendOutput(PAYLOAD_TYPE.output, Buffer.from("starting...\r\n"));
      session.closeChannel("Cannot perform start session: EOF");
      return;
    }
    const path = this.image === "coreutils" ? process.env.PATH! : join(this.imageRoot, this.image);
    session.startCommand({ python: PYTHON, script: PTY_RUNNER, path, outputDelayMs: this.outputDelayMs });
  }
}
