import { describe, expect, it } from "vitest";
import { closeRequest, FrameReader, spawnRequest } from "../../src/orchestrator/local/spawner-protocol.js";

/** A frame as hub-launch spawner writes it: u32 length, u8 type, u32 id, the fields. */
function event(type: number, id: number, body: Buffer): Buffer {
  const le32 = (value: number): Buffer => Buffer.from(new Uint32Array([value]).buffer);
  return Buffer.concat([le32(5 + body.length), Buffer.of(type), le32(id), body]);
}

describe("the spawner's frames", () => {
  it("are read whole however the pipe cuts them, a byte at a time included", () => {
    const exit = Buffer.alloc(8);
    exit.writeInt32LE(-1, 0);
    exit.writeInt32LE(9, 4);
    const pid = Buffer.alloc(4);
    pid.writeInt32LE(4242, 0);
    const stream = Buffer.concat([
      event(1, 7, pid),
      event(2, 7, Buffer.concat([Buffer.from([1]), Buffer.from("oops")])),
      event(3, 7, Buffer.from([0])),
      event(4, 7, exit),
      event(5, 8, Buffer.from("ENOENT\0/bin/nope: No such file or directory\0")),
    ]);
    const reader = new FrameReader();
    const messages = [...stream].flatMap((byte) => reader.push(Buffer.from([byte])));
    expect(messages).toEqual([
      { type: "spawned", id: 7, pid: 4242 },
      { type: "data", id: 7, stream: "stderr", chunk: Buffer.from("oops") },
      { type: "end", id: 7, stream: "stdout" },
      { type: "exit", id: 7, code: null, signal: "SIGKILL" },
      { type: "error", id: 8, code: "ENOENT", message: "spawn /bin/nope: No such file or directory" },
    ]);
  });

  it("write a spawn request's fields in the order the spawner reads them", () => {
    const request = spawnRequest(
      3,
      ["/bin/echo", "hi"],
      { A: "1" },
      { maxOutputBytes: 10, info: true, stdin: Buffer.from("in") },
    );
    expect(request.readUInt32LE(0)).toBe(request.length - 4);
    expect(request.readUInt8(4)).toBe(1);
    expect(request.readUInt32LE(5)).toBe(3);
    expect(request.subarray(9).toString("latin1")).toBe(
      "\x0a\x00\x00\x00\x01\x02\x00\x00\x00\x01\x00\x00\x00/bin/echo\0hi\0A=1\0\0\x02\x00\x00\x00in",
    );
    expect([...closeRequest(3, "info")]).toEqual([6, 0, 0, 0, 2, 3, 0, 0, 0, 2]);
  });

  it("refuse an argument holding a NUL byte rather than cut it short", () => {
    expect(() => spawnRequest(1, ["/bin/echo", "a\0b"], {}, { maxOutputBytes: 10 })).toThrow(/NUL byte/);
  });
});
