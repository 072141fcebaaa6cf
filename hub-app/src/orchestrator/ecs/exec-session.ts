/**
 * One ECS Exec session: the websocket ExecuteCommand hands out, spoken as the SSM session
 * protocol (what session-manager-plugin does): send the token, answer the agent's handshake,
 * acknowledge every output message, put output back in sequence order, stop at channel_closed.
 *
 * The session runs the command on a pty, so stdout and stderr arrive merged as one stream
 * (payload type 1) with "\n" turned into "\r\n"; the command wrapper (run-script.ts) frames
 * its own output so neither matters. KMS-encrypted sessions are refused (the Hub would need
 * KMS rights and the encryption handshake); the cluster's exec configuration must not ask for it.
 * Our few input messages are not resent when unacknowledged: the websocket runs over one TCP
 * connection that either delivers them or closes.
 */
import WebSocket from "ws";
import { HubError } from "../../errors.js";
import {
  MESSAGE_TYPE,
  PAYLOAD_TYPE,
  acknowledgeFor,
  decodeAgentMessage,
  encodeAgentMessage,
  openDataChannelMessage,
  type AgentMessage,
} from "./ssm-protocol.js";

export interface SessionEndpoint {
  readonly streamUrl: string;
  readonly tokenValue: string;
}

export interface SessionOptions {
  /** Gets output in order; returns true once it has all it needs, which ends the session. A throw ends it with that error. */
  readonly onOutput: (chunk: Buffer) => boolean;
  /** The session is abandoned (socket closed, HubError timeout) after this long. */
  readonly timeoutMs: number;
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

interface RequestedAction {
  readonly ActionType?: string;
}

export function runSsmSession(endpoint: SessionEndpoint, options: SessionOptions): Promise<SessionEnd> {
  return new Promise<SessionEnd>((resolve, reject) => {
    const socket = new WebSocket(endpoint.streamUrl);
    let inputSequence = 0;
    let expectedSequence = 0;
    const early = new Map<number, AgentMessage>();
    let settled = false;

    const finish = (end: SessionEnd | HubError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING)
        socket.terminate();
      if (end instanceof HubError) reject(end);
      else resolve(end);
    };
    const timer = setTimeout(
      () => finish(new HubError("timeout", `the exec session did not finish within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );

    const sendInput = (payloadType: number, payload: unknown): void => {
      const frame = encodeAgentMessage({
        messageType: MESSAGE_TYPE.input,
        sequenceNumber: inputSequence++,
        flags: 0,
        payloadType,
        payload: Buffer.from(JSON.stringify(payload)),
      });
      socket.send(frame);
    };

    const answerHandshake = (message: AgentMessage): void => {
      const request = JSON.parse(message.payload.toString("utf8")) as {
        RequestedClientActions?: RequestedAction[];
      };
      const processed = (request.RequestedClientActions ?? []).map((action) => {
        if (action.ActionType === "SessionType")
          return { ActionType: action.ActionType, ActionStatus: ACTION_STATUS.success };
        const error = `the Hub does not support ${action.ActionType ?? "this action"} (e.g. KMS-encrypted exec sessions)`;
        return { ActionType: action.ActionType, ActionStatus: ACTION_STATUS.unsupported, Error: error };
      });
      sendInput(PAYLOAD_TYPE.handshakeResponse, {
        ClientVersion: CLIENT_VERSION,
        ProcessedClientActions: processed,
        Errors: [],
      });
    };

    /** Handles one output message, in sequence order. */
    const consume = (message: AgentMessage): void => {
      switch (message.payloadType) {
        case PAYLOAD_TYPE.handshakeRequest:
          answerHandshake(message);
          return;
        case PAYLOAD_TYPE.handshakeComplete:
          sendInput(PAYLOAD_TYPE.size, TERMINAL_SIZE);
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
          if (options.onOutput(message.payload)) finish({ by: "consumer" });
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

    socket.on("open", () => socket.send(openDataChannelMessage(endpoint.tokenValue)));
    socket.on("message", (data, isBinary) => {
      if (settled || !isBinary) return;
      try {
        const message = decodeAgentMessage(toBuffer(data));
        if (message.messageType === MESSAGE_TYPE.output) onOutputMessage(message);
        else if (message.messageType === MESSAGE_TYPE.channelClosed)
          finish({ by: "channel_closed", message: closeOutput(message) });
        // acknowledge / start_publication / pause_publication: nothing to do for a client that barely sends.
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
