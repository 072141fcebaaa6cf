import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  HEADER_LENGTH,
  MESSAGE_TYPE,
  OFFSET,
  PAYLOAD_TYPE,
  acknowledgeFor,
  decodeAgentMessage,
  encodeAgentMessage,
  openDataChannelMessage,
} from "../../src/orchestrator/ecs/ssm-protocol.js";

const messageId = "1b4e28ba-2fa1-41d2-883f-0016d3cca427";

describe("SSM agent message frames", () => {
  const payload = Buffer.from("hello\r\n");
  const frame = encodeAgentMessage({
    messageType: MESSAGE_TYPE.output,
    sequenceNumber: 7,
    flags: 0,
    payloadType: PAYLOAD_TYPE.output,
    payload,
    messageId,
    createdDate: 1_700_000_000_123,
  });

  it("lays out the header as session-manager-plugin 1.2.677.0 does (src/message/clientmessage.go)", () => {
    expect(frame.length).toBe(120 + payload.length);
    expect(frame.readUInt32BE(0)).toBe(116);
    expect(HEADER_LENGTH).toBe(116);
    expect(frame.toString("ascii", 4, 36)).toBe("output_stream_data".padEnd(32, " "));
    expect(frame.readUInt32BE(36)).toBe(1);
    expect(frame.readBigUInt64BE(40)).toBe(1_700_000_000_123n);
    expect(frame.readBigInt64BE(48)).toBe(7n);
    expect(frame.readBigUInt64BE(56)).toBe(0n);
    // The UUID's low half comes first.
    expect(frame.subarray(64, 80).toString("hex")).toBe("883f0016d3cca4271b4e28ba2fa141d2");
    expect(frame.subarray(80, 112)).toEqual(createHash("sha256").update(payload).digest());
    expect(frame.readUInt32BE(112)).toBe(1);
    expect(frame.readUInt32BE(116)).toBe(payload.length);
    expect(frame.subarray(120).toString()).toBe("hello\r\n");
    expect(OFFSET).toMatchObject({
      messageType: 4,
      sequenceNumber: 48,
      messageId: 64,
      payloadType: 112,
      payload: 120,
    });
  });

  it("round-trips through its own decoder", () => {
    const decoded = decodeAgentMessage(frame);
    expect(decoded).toMatchObject({
      messageType: "output_stream_data",
      sequenceNumber: 7,
      messageId,
      payloadType: 1,
    });
    expect(decoded.payload).toEqual(payload);
  });

  it("acknowledges an output message the way the plugin does", () => {
    const ack = decodeAgentMessage(acknowledgeFor(decodeAgentMessage(frame)));
    expect(ack).toMatchObject({ messageType: "acknowledge", sequenceNumber: 0, flags: 3 });
    expect(JSON.parse(ack.payload.toString())).toEqual({
      AcknowledgedMessageType: "output_stream_data",
      AcknowledgedMessageId: messageId,
      AcknowledgedMessageSequenceNumber: 7,
      IsSequentialMessage: true,
    });
  });

  it("opens the data channel with the token (the plugin's OpenDataChannelInput)", () => {
    const ours = JSON.parse(openDataChannelMessage("tok")) as Record<string, unknown>;
    expect(Object.keys(ours).sort()).toEqual(["MessageSchemaVersion", "RequestId", "TokenValue"]);
    expect(ours).toMatchObject({ MessageSchemaVersion: "1.0", TokenValue: "tok" });
  });

  it("refuses cut or malformed frames with a reason", () => {
    expect(() => decodeAgentMessage(frame.subarray(0, 100))).toThrow(/too short/);
    expect(() => decodeAgentMessage(frame.subarray(0, frame.length - 2))).toThrow(/payload is cut/);
    const bad = Buffer.from(frame);
    bad.writeUInt32BE(5000, 0);
    expect(() => decodeAgentMessage(bad)).toThrow(/bad header length/);
  });
});
