/**
 * One ECS Exec session: the websocket ExecuteCommand hands out, spoken as the SSM session protocol
 * the way session-manager-plugin 1.2.677.0 does (src/datachannel/streaming.go): send the token,
 * answer the agent's handshake if it asks (for InteractiveCommands without KMS it does not: the
 * command starts at once), acknowledge every output message, put output back in sequence order,
 * stop at channel_closed. Input (the handshake answer, the terminal size, stdin bytes) goes through
 * InputStream: acknowledged, resent when late.
 *
 * Like the plugin, a frame that does not decode or fails its digest is skipped, not fatal (the
 * agent resends what is not acknowledged), and only the message types used here are decoded.
 * The session runs the command on a pty, so stdout and stderr arrive merged as one stream
 * (payload type 1); the command wrapper (run-script.ts) frames its own output. KMS-encrypted
 * sessions are refused: the Hub would need KMS rights and the encryption handshake.
 */
import WebSocket from "ws";
import { HubError } from "../../errors.js";
import { InputStream, RESEND_CHECK_MS } from "./ssm-input.js";
import {
  MESSAGE_TYPE,
  PAYLOAD_TYPE,
  acknowledgeFor,
  messageTypeOf,
  openDataChannelMessage,
  readValidMessage,
  type AgentMessage,
} from "./ssm-protocol.js";

export interface SessionEndpoint {
  readonly streamUrl: string;
  readonly tokenValue: string;
}

/** What a consumer may do while the session runs. */
export interface SessionInput {
  /** Queues bytes for the command's stdin (the pty). */
  readonly write: (data: Buffer) => void;
}

export interface SessionOptions {
  /** Gets output in order; returns true once it has all it needs, which ends the session. A throw ends it with that error. */
  readonly onOutput: (chunk: Buffer, input: SessionInput) => boolean;
  /** The session is abandoned (socket closed, HubError timeout) after this long. */
  readonly timeoutMs: number;
  /** Websocket pings this often, so proxies and load balancers keep a quiet session open. */
  readonly pingIntervalMs?: number;
}

/** How a session ended when it did not fail: the consumer had everything, or the agent/socket closed first. */
export type SessionEnd =
  | { readonly by: "consumer" }
  | { readonly by: "channel_closed"; readonly message: string }
  | { readonly by: "socket_closed"; readonly code: number };

/** Our version in the handshake; the agent only records it. */
const CLIENT_VERSION = "1.2.0.0";
/** Handshake action outcomes (session-manager-plugin sessionhandler, ActionStatus). */
const ACTION_STATUS = { success: 1, failed: 2, unsupported: 3 } as const;
/** A wide terminal keeps tools that format for the terminal from wrapping lines. */
const TERMINAL_SIZE = { cols: 240, rows: 60 };
/**
 * Commands write to files, so a session can be silent until the command ends. Load balancers cut
 * idle connections (an ALB after 60 s by default); the plugin itself pings only every 5 minutes.
 */
export const SESSION_PING_INTERVAL_MS = 30_000;

interface RequestedAction {
  readonly ActionType?: string;
}

function handshakeAnswer(message: AgentMessage): unknown {
  const request = JSON.parse(message.payload.toString("utf8")) as {
    RequestedClientActions?: RequestedAction[];
  };
  const processed = (request.RequestedClientActions ?? []).map((action) => {
    if (action.ActionType === "SessionType")
      return { ActionType: action.ActionType, ActionStatus: ACTION_STATUS.success };
    const error = `the Hub does not support ${action.ActionType ?? "this action"} (e.g. KMS-encrypted exec sessions)`;
    return { ActionType: action.ActionType, ActionStatus: ACTION_STATUS.unsupported, Error: error };
  });
  return { ClientVersion: CLIENT_VERSION, ProcessedClientActions: processed, Errors: [] };
}

export function runSsmSession(endpoint: SessionEndpoint, options: SessionOptions): Promise<SessionEnd> {
  return new Promise<SessionEnd>((resolve, reject) => {
    const socket = new WebSocket(endpoint.streamUrl);
    const input = new InputStream((frame) => socket.send(frame));
    const stdin: SessionInput = { write: (data) => input.sendBytes(PAYLOAD_TYPE.output, data) };
    const sendJson = (payloadType: number, value: unknown): void =>
      input.send(payloadType, Buffer.from(JSON.stringify(value)));
    let expectedSequence = 0;
    const early = new Map<number, AgentMessage>();
    let settled = false;

    const finish = (end: SessionEnd | HubError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(resender);
      clearInterval(pinger);
      if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING)
        socket.terminate();
      if (end instanceof HubError) reject(end);
      else resolve(end);
    };
    const timer = setTimeout(
      () => finish(new HubError("timeout", `the exec session did not finish within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    const resender = setInterval(() => input.resendOverdue(), RESEND_CHECK_MS);
    const pinger = setInterval(() => {
      if (socket.readyState === WebSocket.OPEN) socket.ping();
    }, options.pingIntervalMs ?? SESSION_PING_INTERVAL_MS);

    /** Handles one output message, in sequence order. */
    const consume = (message: AgentMessage): void => {
      switch (message.payloadType) {
        case PAYLOAD_TYPE.handshakeRequest:
          sendJson(PAYLOAD_TYPE.handshakeResponse, handshakeAnswer(message));
          return;
        case PAYLOAD_TYPE.handshakeComplete:
          sendJson(PAYLOAD_TYPE.size, TERMINAL_SIZE);
          return;
        case PAYLOAD_TYPE.encChallengeRequest:
          finish(
            new HubError(
              "container_failed",
              "the exec session asked for KMS encryption, which the Hub does not support",
            ),
          );
          return;
        case PAYLOAD_TYPE.output:
        case PAYLOAD_TYPE.stdErr:
          if (options.onOutput(message.payload, stdin)) finish({ by: "consumer" });
          return;
        default:
          // Exit codes (12) only exist in non-interactive sessions; flags and parameters do not concern us.
          return;
      }
    };

    const onOutputMessage = (message: AgentMessage): void => {
      socket.send(acknowledgeFor(message));
      if (message.sequenceNumber < expectedSequence) return; // a resend of something already handled
      early.set(message.sequenceNumber, message);
      for (
        let next = early.get(expectedSequence);
        next !== undefined && !settled;
        next = early.get(expectedSequence)
      ) {
        early.delete(expectedSequence);
        expectedSequence++;
        consume(next);
      }
    };

    const onFrame = (frame: Buffer): void => {
      const type = messageTypeOf(frame);
      if (type === MESSAGE_TYPE.output) {
        const message = readValidMessage(frame);
        if (message !== undefined) onOutputMessage(message);
      } else if (type === MESSAGE_TYPE.acknowledge) {
        const message = readValidMessage(frame);
        if (message !== undefined) input.acknowledged(acknowledgedSequence(message));
      } else if (type === MESSAGE_TYPE.channelClosed) {
        const message = readValidMessage(frame);
        if (message !== undefined) finish({ by: "channel_closed", message: closeOutput(message) });
      }
      // start_publication, pause_publication and anything newer: not ours to act on (the plugin ignores them too).
    };

    socket.on("open", () => socket.send(openDataChannelMessage(endpoint.tokenValue)));
    socket.on("message", (data, isBinary) => {
      if (settled || !isBinary) return;
      try {
        onFrame(toBuffer(data));
      } catch (error) {
        finish(
          error instanceof HubError
            ? error
            : new HubError(
                "container_failed",
                `the exec session sent a message the Hub cannot read: ${(error as Error).message}`,
              ),
        );
      }
    });
    socket.on("close", (code) => finish({ by: "socket_closed", code }));
    socket.on("error", (error) =>
      finish(
        new HubError("container_failed", `the exec session failed: ${error.message}`, undefined, {
          cause: error,
        }),
      ),
    );
  });
}

/** An acknowledge message's AcknowledgedMessageSequenceNumber; -1 when unreadable (acknowledges nothing). */
function acknowledgedSequence(message: AgentMessage): number {
  try {
    const content = JSON.parse(message.payload.toString("utf8")) as {
      AcknowledgedMessageSequenceNumber?: unknown;
    };
    return typeof content.AcknowledgedMessageSequenceNumber === "number"
      ? content.AcknowledgedMessageSequenceNumber
      : -1;
  } catch {
    return -1;
  }
}

/** channel_closed carries JSON whose Output may say why (e.g. "Unable to start command: ..."). */
function closeOutput(message: AgentMessage): string {
  try {
    const content = JSON.parse(message.payload.toString("utf8")) as { Output?: unknown };
    return typeof content.Output === "string" ? content.Output : "";
  } catch {
    return "";
  }
}

function toBuffer(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
