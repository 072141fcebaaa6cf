/**
 * The binary "AgentMessage" frames of the SSM session protocol, as session-manager-plugin 1.2.677.0
 * lays them out (src/message/clientmessage.go, messageparser.go). All integers big-endian:
 *
 *   offset  size  field
 *        0     4  HeaderLength (116: the bytes before PayloadLength)
 *        4    32  MessageType (ASCII, padded with spaces; readers also strip NULs)
 *       36     4  SchemaVersion (1)
 *       40     8  CreatedDate (ms since epoch)
 *       48     8  SequenceNumber
 *       56     8  Flags
 *       64    16  MessageId (UUID: its low 8 bytes first, then its high 8 bytes)
 *       80    32  PayloadDigest (SHA-256 of the payload)
 *      112     4  PayloadType
 *      116     4  PayloadLength
 *      120     n  Payload
 */
import { createHash, randomUUID } from "node:crypto";

export const HEADER_LENGTH = 116;
const MESSAGE_TYPE_LENGTH = 32;
const DIGEST_LENGTH = 32;
export const OFFSET = {
  headerLength: 0,
  messageType: 4,
  schemaVersion: 36,
  createdDate: 40,
  sequenceNumber: 48,
  flags: 56,
  messageId: 64,
  payloadDigest: 80,
  payloadType: 112,
  payloadLength: 116,
  payload: 120,
} as const;

export const MESSAGE_TYPE = {
  input: "input_stream_data",
  output: "output_stream_data",
  acknowledge: "acknowledge",
  channelClosed: "channel_closed",
  startPublication: "start_publication",
  pausePublication: "pause_publication",
} as const;

/** session-manager-plugin src/message/clientmessage.go, PayloadType. */
export const PAYLOAD_TYPE = {
  output: 1,
  error: 2,
  size: 3,
  parameter: 4,
  handshakeRequest: 5,
  handshakeResponse: 6,
  handshakeComplete: 7,
  encChallengeRequest: 8,
  encChallengeResponse: 9,
  flag: 10,
  stdErr: 11,
  exitCode: 12,
} as const;

export interface AgentMessage {
  readonly messageType: string;
  readonly schemaVersion: number;
  readonly createdDate: number;
  readonly sequenceNumber: number;
  readonly flags: number;
  /** UUID text, e.g. "1b4e28ba-2fa1-11d2-883f-0016d3cca427". */
  readonly messageId: string;
  readonly payloadDigest: Buffer;
  readonly payloadType: number;
  readonly payload: Buffer;
}

export type NewAgentMessage = Pick<
  AgentMessage,
  "messageType" | "sequenceNumber" | "flags" | "payloadType"
> & {
  readonly payload: Buffer;
  readonly messageId?: string;
  readonly createdDate?: number;
};

export function encodeAgentMessage(message: NewAgentMessage): Buffer {
  if (message.messageType.length > MESSAGE_TYPE_LENGTH)
    throw new Error(`message type too long: ${message.messageType}`);
  const frame = Buffer.alloc(OFFSET.payload + message.payload.length);
  frame.writeUInt32BE(HEADER_LENGTH, OFFSET.headerLength);
  frame.write(message.messageType.padEnd(MESSAGE_TYPE_LENGTH, " "), OFFSET.messageType, "ascii");
  frame.writeUInt32BE(1, OFFSET.schemaVersion);
  frame.writeBigUInt64BE(BigInt(message.createdDate ?? Date.now()), OFFSET.createdDate);
  frame.writeBigInt64BE(BigInt(message.sequenceNumber), OFFSET.sequenceNumber);
  frame.writeBigUInt64BE(BigInt(message.flags), OFFSET.flags);
  uuidBytes(message.messageId ?? randomUUID()).copy(frame, OFFSET.messageId);
  createHash("sha256").update(message.payload).digest().copy(frame, OFFSET.payloadDigest);
  frame.writeUInt32BE(message.payloadType, OFFSET.payloadType);
  frame.writeUInt32BE(message.payload.length, OFFSET.payloadLength);
  message.payload.copy(frame, OFFSET.payload);
  return frame;
}

export function decodeAgentMessage(frame: Buffer): AgentMessage {
  if (frame.length < OFFSET.payload) throw new Error(`agent message too short: ${frame.length} bytes`);
  const headerLength = frame.readUInt32BE(OFFSET.headerLength);
  if (headerLength < OFFSET.payloadLength || headerLength + 4 > frame.length) {
    throw new Error(`agent message has a bad header length ${headerLength}`);
  }
  const payloadLength = frame.readUInt32BE(headerLength);
  const payloadStart = headerLength + 4;
  if (payloadStart + payloadLength > frame.length) {
    throw new Error(
      `agent message payload is cut: ${payloadLength} bytes announced, ${frame.length - payloadStart} present`,
    );
  }
  return {
    messageType: frame
      .toString("ascii", OFFSET.messageType, OFFSET.messageType + MESSAGE_TYPE_LENGTH)
      .replace(/[\0 ]+/g, ""),
    schemaVersion: frame.readUInt32BE(OFFSET.schemaVersion),
    createdDate: Number(frame.readBigUInt64BE(OFFSET.createdDate)),
    sequenceNumber: Number(frame.readBigInt64BE(OFFSET.sequenceNumber)),
    flags: Number(frame.readBigUInt64BE(OFFSET.flags)),
    messageId: uuidText(frame.subarray(OFFSET.messageId, OFFSET.messageId + 16)),
    payloadDigest: Buffer.from(frame.subarray(OFFSET.payloadDigest, OFFSET.payloadDigest + DIGEST_LENGTH)),
    payloadType: frame.readUInt32BE(OFFSET.payloadType),
    payload: Buffer.from(frame.subarray(payloadStart, payloadStart + payloadLength)),
  };
}

/** The message type alone (NULs and spaces trimmed, as the plugin's getString does); undefined when cut short. */
export function messageTypeOf(frame: Buffer): string | undefined {
  if (frame.length < OFFSET.schemaVersion) return undefined;
  return frame.toString("ascii", OFFSET.messageType, OFFSET.schemaVersion).replace(/^[\0 ]+|[\0 ]+$/g, "");
}

/**
 * The message when it decodes and passes the plugin's checks (messageparser.go, Validate: a header
 * length, a type, a creation date, and a payload matching its SHA-256 digest); undefined otherwise,
 * so the caller skips it as the plugin does (unacknowledged, the agent sends it again).
 */
export function readValidMessage(frame: Buffer): AgentMessage | undefined {
  let message: AgentMessage;
  try {
    message = decodeAgentMessage(frame);
  } catch {
    return undefined;
  }
  if (message.messageType === "" || message.createdDate === 0) return undefined;
  const digest = createHash("sha256").update(message.payload).digest();
  return message.payload.length === 0 || digest.equals(message.payloadDigest) ? message : undefined;
}

/** The ack every output_stream_data message needs, or the agent resends it (plugin: SendAcknowledgeMessage). */
export function acknowledgeFor(message: AgentMessage): Buffer {
  const content = {
    AcknowledgedMessageType: message.messageType,
    AcknowledgedMessageId: message.messageId,
    AcknowledgedMessageSequenceNumber: message.sequenceNumber,
    IsSequentialMessage: true,
  };
  // The plugin sends acks with sequence number 0 and flags 3.
  return encodeAgentMessage({
    messageType: MESSAGE_TYPE.acknowledge,
    sequenceNumber: 0,
    flags: 3,
    payloadType: 0,
    payload: Buffer.from(JSON.stringify(content)),
  });
}

/** The first, text, frame of a session: the token ExecuteCommand returned (plugin: OpenDataChannelInput). */
export function openDataChannelMessage(tokenValue: string): string {
  return JSON.stringify({ MessageSchemaVersion: "1.0", RequestId: randomUUID(), TokenValue: tokenValue });
}

function uuidBytes(uuid: string): Buffer {
  const hex = uuid.replace(/-/g, "");
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new Error(`not a UUID: ${uuid}`);
  const bytes = Buffer.from(hex, "hex");
  return Buffer.concat([bytes.subarray(8, 16), bytes.subarray(0, 8)]);
}

function uuidText(field: Buffer): string {
  const hex = Buffer.concat([field.subarray(8, 16), field.subarray(0, 8)]).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
