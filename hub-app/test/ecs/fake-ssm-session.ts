/**
 * One session of the fake SSM agent, behaving as amazon-ssm-agent 3.3.1142.0 does
 * (agent/session/datachannel/datachannel.go, shell/shell.go, config/config.go):
 * - output leaves in messages of at most 1024 bytes (StreamDataPayloadSize), the first flagged 1;
 * - each output message stays in the outgoing buffer until acknowledged; every 100 ms
 *   (ResendSleepInterval) only the oldest one is resent, if older than the retransmission
 *   timeout (200 ms by default, DefaultTransmissionTimeout);
 * - input (input_stream_data) is taken in sequence: the expected one is handled and
 *   acknowledged, later ones are acknowledged and kept, older ones acknowledged again; until the
 *   pty runs, input is refused unacknowledged (ErrHandlerNotReady), and while a handshake is
 *   under way it is acknowledged and dropped (processStreamDataMessage);
 * - when the pty is drained the agent waits at most 2 s for outstanding acknowledgements
 *   (PrepareToCloseChannel), then sends channel_closed and closes.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import type { WebSocket } from "ws";
import {
  MESSAGE_TYPE,
  PAYLOAD_TYPE,
  encodeAgentMessage,
  type AgentMessage,
} from "../../src/orchestrator/ecs/ssm-protocol.js";

export const OUTPUT_CHUNK_BYTES = 1024;
const RESEND_INTERVAL_MS = 100;
const RETRANSMISSION_TIMEOUT_MS = 200;
const CLOSE_WAIT_MS = 2000;

export interface SessionRecord {
  readonly command: string;
  /** The container's env the session started with. */
  readonly env: Readonly<Record<string, string>>;
  readonly token: Record<string, unknown>;
  handshakeResponse?: Record<string, unknown>;
  terminalSize?: Record<string, unknown>;
  readonly outputSequences: number[];
  readonly acknowledged: number[];
  /** Input bytes the pty received, in order. */
  inputBytes: number;
  /** Websocket pings the client sent. */
  pings: number;
  /** Resolves when the command's pty is drained and the channel closed. */
  ended?: Promise<void>;
}

export interface SessionConduct {
  /** Output messages (by sequence number) lost the first time, as on a reconnect; the resend recovers them. */
  readonly dropSequences?: readonly number[];
  /** Holds output back, then sends it with neighbours swapped and the first one twice. */
  readonly reorder?: boolean;
  /** Sends frames a client must skip (bad digest, cut short, publication control) before the output. */
  readonly oddFrames?: boolean;
}

interface Outgoing {
  readonly frame: Buffer;
  sentAt: number;
}

export class FakeSession {
  private sequence = 0;
  private readonly outgoing = new Map<number, Outgoing>();
  private readonly resender: NodeJS.Timeout;
  private expectedInput = 0;
  private readonly laterInput = new Map<number, AgentMessage>();
  private child: ChildProcess | undefined;
  private handshakeDone: boolean;
  private held: Buffer[] = [];

  constructor(
    private readonly socket: WebSocket,
    readonly record: SessionRecord,
    private readonly conduct: SessionConduct,
    handshake: boolean,
  ) {
    this.handshakeDone = !handshake;
    this.resender = setInterval(() => this.resendOldest(), RESEND_INTERVAL_MS);
    socket.on("close", () => clearInterval(this.resender));
  }

  /** Sends an output_stream_data message (kept until acknowledged). */
  sendOutput(payloadType: number, payload: Buffer): void {
    const sequenceNumber = this.sequence++;
    const frame = encodeAgentMessage({
      messageType: MESSAGE_TYPE.output,
      sequenceNumber,
      flags: sequenceNumber === 0 ? 1 : 0,
      payloadType,
      payload,
    });
    this.record.outputSequences.push(sequenceNumber);
    this.outgoing.set(sequenceNumber, { frame, sentAt: Date.now() });
    if (this.conduct.reorder) this.held.push(frame);
    else if (!this.conduct.dropSequences?.includes(sequenceNumber)) this.socket.send(frame);
  }

  acknowledged(sequenceNumber: number): void {
    this.record.acknowledged.push(sequenceNumber);
    this.outgoing.delete(sequenceNumber);
  }

  handshakeComplete(): void {
    this.handshakeDone = true;
  }

  /** Starts the command on a pty (agent-pty.py); pty output becomes output messages. */
  startCommand(runner: { python: string; script: string; path: string; outputDelayMs: number }): void {
    if (this.conduct.oddFrames) this.sendOddFrames();
    const child = spawn(runner.python, [runner.script, this.record.command, String(runner.outputDelayMs)], {
      stdio: ["pipe", "pipe", "inherit"],
      env: { ...process.env, ...this.record.env, PATH: runner.path },
    });
    this.child = child;
    child.stdin.on("error", () => undefined); // the command may end before reading all input
    child.stdout.on("data", (chunk: Buffer) => {
      for (let start = 0; start < chunk.length; start += OUTPUT_CHUNK_BYTES)
        this.sendOutput(PAYLOAD_TYPE.output, chunk.subarray(start, start + OUTPUT_CHUNK_BYTES));
    });
    this.record.ended = new Promise((resolve) =>
      child.on("close", () => {
        this.child = undefined;
        if (this.conduct.reorder) this.sendShuffled();
        void this.closeAfterAcknowledged().then(resolve);
      }),
    );
  }

  /** An input_stream_data message from the client. */
  input(message: AgentMessage): void {
    if (message.sequenceNumber < this.expectedInput) {
      this.acknowledge(message);
      return;
    }
    if (message.sequenceNumber > this.expectedInput) {
      this.acknowledge(message);
      this.laterInput.set(message.sequenceNumber, message);
      return;
    }
    if (!this.take(message)) return; // not ready: unacknowledged, the client resends it
    this.acknowledge(message);
    this.expectedInput++;
    for (
      let next = this.laterInput.get(this.expectedInput);
      next;
      next = this.laterInput.get(this.expectedInput)
    ) {
      this.laterInput.delete(this.expectedInput);
      if (!this.take(next)) break;
      this.expectedInput++;
    }
  }

  kill(): void {
    this.child?.kill("SIGKILL");
  }

  closeChannel(output: string): void {
    const content = {
      MessageType: "channel_closed",
      MessageId: randomUUID(),
      SchemaVersion: 1,
      Output: output,
    };
    this.socket.send(
      encodeAgentMessage({
        messageType: MESSAGE_TYPE.channelClosed,
        sequenceNumber: this.sequence,
        flags: 0,
        payloadType: 0,
        payload: Buffer.from(JSON.stringify(content)),
      }),
    );
    this.socket.close();
  }

  /** False when the handler is not ready (no pty yet). */
  private take(message: AgentMessage): boolean {
    if (message.payloadType === PAYLOAD_TYPE.handshakeResponse) {
      this.record.handshakeResponse = JSON.parse(message.payload.toString()) as Record<string, unknown>;
      return true;
    }
    if (!this.handshakeDone) return true; // acknowledged, dropped
    if (this.child === undefined) return false;
    if (message.payloadType === PAYLOAD_TYPE.size) {
      this.record.terminalSize = JSON.parse(message.payload.toString()) as Record<string, unknown>;
    } else if (message.payloadType === PAYLOAD_TYPE.output) {
      this.record.inputBytes += message.payload.length;
      this.child.stdin?.write(message.payload);
    }
    return true;
  }

  private acknowledge(message: AgentMessage): void {
    const content = {
      AcknowledgedMessageType: message.messageType,
      AcknowledgedMessageId: message.messageId,
      AcknowledgedMessageSequenceNumber: message.sequenceNumber,
      IsSequentialMessage: true,
    };
    this.socket.send(
      encodeAgentMessage({
        messageType: MESSAGE_TYPE.acknowledge,
        sequenceNumber: 0,
        flags: 3,
        payloadType: 0,
        payload: Buffer.from(JSON.stringify(content)),
      }),
    );
  }

  private resendOldest(): void {
    if (this.conduct.reorder && this.held.length > 0) return;
    const oldest = this.outgoing.values().next().value;
    if (oldest === undefined || Date.now() - oldest.sentAt <= RETRANSMISSION_TIMEOUT_MS) return;
    oldest.sentAt = Date.now();
    this.socket.send(oldest.frame);
  }

  private async closeAfterAcknowledged(): Promise<void> {
    const deadline = Date.now() + CLOSE_WAIT_MS;
    while (this.outgoing.size > 0 && Date.now() < deadline && this.socket.readyState === this.socket.OPEN)
      await new Promise((resolve) => setTimeout(resolve, 10));
    if (this.socket.readyState === this.socket.OPEN) this.closeChannel("");
  }

  /** Swaps neighbouring frames and repeats the first, as a reconnecting agent might. */
  private sendShuffled(): void {
    const frames = this.held.splice(0);
    for (let index = 0; index < frames.length; index += 2) {
      const [first, second] = [frames[index]!, frames[index + 1]];
      if (second !== undefined) this.socket.send(second);
      this.socket.send(first);
    }
    if (frames[0] !== undefined) this.socket.send(frames[0]);
  }

  /** What a client must read past: publication control (never validated), a cut frame, a bad digest. */
  private sendOddFrames(): void {
    const control = (messageType: string) =>
      encodeAgentMessage({
        messageType,
        sequenceNumber: 0,
        flags: 0,
        payloadType: 0,
        payload: Buffer.alloc(0),
      });
    this.socket.send(control(MESSAGE_TYPE.pausePublication).subarray(0, 60));
    this.socket.send(control(MESSAGE_TYPE.startPublication));
    const bad = encodeAgentMessage({
      messageType: MESSAGE_TYPE.output,
      sequenceNumber: 0,
      flags: 1,
      payloadType: PAYLOAD_TYPE.output,
      payload: Buffer.from("not what the digest says"),
    });
    bad.writeUInt8(bad.readUInt8(bad.length - 1) ^ 0xff, bad.length - 1);
    this.socket.send(bad);
    const cut = Buffer.from(bad);
    cut.writeUInt32BE(100, 0); // a header length under 116
    this.socket.send(cut.subarray(0, 110));
  }
}
