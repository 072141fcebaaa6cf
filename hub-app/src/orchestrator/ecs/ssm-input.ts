/**
 * What the Hub sends in an SSM session (input_stream_data: the handshake answer, the terminal size,
 * bytes for the command's stdin), with the reliability session-manager-plugin 1.2.677.0 gives it
 * (src/datachannel/streaming.go): one sequence for every input message, each kept until the agent
 * acknowledges it, the oldest unacknowledged one resent when its acknowledgement is late
 * (ResendStreamDataMessageScheduler). Unlike the plugin, at most WINDOW_MESSAGES are in flight, so
 * a large stdin waits for the agent instead of sitting whole in the socket's buffer.
 */
import { MESSAGE_TYPE, encodeAgentMessage } from "./ssm-protocol.js";

/** The plugin's and agent's stream data payload size (amazon-ssm-agent agent/session/config, StreamDataPayloadSize). */
export const INPUT_CHUNK_BYTES = 1024;
/** Unacknowledged messages in flight; the agent buffers up to 100000 (IncomingMessageBufferCapacity). */
const WINDOW_MESSAGES = 256;
/** The plugin's retransmission timeout never exceeds 1 s (src/config/config.go, MaxTransmissionTimeout). */
export const RETRANSMIT_AFTER_MS = 1000;

interface InFlight {
  readonly frame: Buffer;
  sentAt: number;
}

export class InputStream {
  private nextSequence = 0;
  private readonly waiting: { payloadType: number; payload: Buffer }[] = [];
  /** By sequence number; a Map keeps insertion order, so the first entry is the oldest. */
  private readonly inFlight = new Map<number, InFlight>();
  private drained: (() => void)[] = [];

  constructor(
    private readonly transmit: (frame: Buffer) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Queues one message (a JSON control payload) and sends what the window allows. */
  send(payloadType: number, payload: Buffer): void {
    this.waiting.push({ payloadType, payload });
    this.pump();
  }

  /** Queues stdin bytes, cut into INPUT_CHUNK_BYTES messages as the plugin reads them. */
  sendBytes(payloadType: number, data: Buffer): void {
    for (let start = 0; start < data.length; start += INPUT_CHUNK_BYTES)
      this.waiting.push({ payloadType, payload: data.subarray(start, start + INPUT_CHUNK_BYTES) });
    this.pump();
  }

  /** The agent has this message; frees its place in the window. */
  acknowledged(sequenceNumber: number): void {
    if (!this.inFlight.delete(sequenceNumber)) return;
    this.pump();
  }

  /** Called every RESEND_CHECK_MS: resends the oldest unacknowledged message if its ack is late. */
  resendOverdue(): void {
    const oldest = this.inFlight.values().next().value;
    if (oldest === undefined || this.now() - oldest.sentAt <= RETRANSMIT_AFTER_MS) return;
    oldest.sentAt = this.now();
    this.transmit(oldest.frame);
  }

  /** Resolves once everything queued so far has been acknowledged. */
  allAcknowledged(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  private isIdle(): boolean {
    return this.waiting.length === 0 && this.inFlight.size === 0;
  }

  private pump(): void {
    while (this.inFlight.size < WINDOW_MESSAGES && this.waiting.length > 0) {
      const { payloadType, payload } = this.waiting.shift()!;
      const sequenceNumber = this.nextSequence++;
      const frame = encodeAgentMessage({
        messageType: MESSAGE_TYPE.input,
        sequenceNumber,
        flags: 0,
        payloadType,
        payload,
      });
      this.inFlight.set(sequenceNumber, { frame, sentAt: this.now() });
      this.transmit(frame);
    }
    if (this.isIdle()) {
      for (const resolve of this.drained.splice(0)) resolve();
    }
  }
}

/** How often overdue messages are looked for (the plugin's ResendSleepInterval). */
export const RESEND_CHECK_MS = 100;
