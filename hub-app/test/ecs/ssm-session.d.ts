/** The few functions of the untyped `ssm-session` package the protocol tests compare against. */
declare module "ssm-session" {
  export const ssm: {
    decode(buffer: ArrayBuffer | Uint8Array): {
      headerLength: number;
      messageType: string;
      schemaVersion: number;
      createdDate: number;
      sequenceNumber: number;
      flags: number;
      messageId: string;
      payloadDigest: string;
      payloadType: number;
      payloadLength: number;
      payload: Uint8Array;
    };
    buildAcknowledge(messageType: string, sequenceNumber: number, messageId: string): Uint8Array;
    buildInputMessage(text: Uint8Array | string, sequenceNumber: number): Uint8Array;
    buildTokenMessage(token: string): string;
  };
}
