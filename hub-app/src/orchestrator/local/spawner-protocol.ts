import { constants } from "node:os";
import type { HelperMessage, HelperSpawnOptions, HelperStream } from "./spawn-helper.js";

/**
 * The frames `hub-launch spawner` reads and writes (hub-app/native/hub-launch.c says their layout):
 * a u32 length of what follows, a u8 type, a u32 request id, then the type's fields. Host byte order,
 * which is little-endian on every machine the Hub runs on (x86-64, arm64).
 */
const STREAMS: readonly HelperStream[] = ["stdout", "stderr", "info"];
const SIGNAL_NAMES = new Map(
  Object.entries(constants.signals).map(([name, number]) => [number, name as NodeJS.Signals]),
);

function frame(type: number, id: number, body: Buffer): Buffer {
  const head = Buffer.alloc(9);
  head.writeUInt32LE(5 + body.length, 0);
  head.writeUInt8(type, 4);
  head.writeUInt32LE(id, 5);
  return Buffer.concat([head, body]);
}

function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32LE(value, 0);
  return buffer;
}

/** A NUL-terminated string; one holding a NUL cannot be an argument or a variable (execve(2)). */
function cString(text: string, what: string): Buffer {
  if (text.includes("\0")) throw new Error(`${what} holds a NUL byte`);
  return Buffer.from(`${text}\0`, "utf8");
}

export function spawnRequest(
  id: number,
  argv: readonly string[],
  env: Readonly<Record<string, string>>,
  options: HelperSpawnOptions,
): Buffer {
  const variables = Object.entries(env).map(([name, value]) => `${name}=${value}`);
  const stdin = options.stdin ?? Buffer.alloc(0);
  return frame(
    1,
    id,
    Buffer.concat([
      u32(Math.min(options.maxOutputBytes, 0xffffffff)),
      Buffer.from([options.info === true ? 1 : 0]),
      u32(argv.length),
      u32(variables.length),
      ...argv.map((arg) => cString(arg, "an argument")),
      ...variables.map((variable) => cString(variable, "an environment variable")),
      cString(options.stderrFile ?? "", "the stderr file's path"),
      u32(stdin.length),
      stdin,
    ]),
  );
}

export function closeRequest(id: number, stream: HelperStream): Buffer {
  return frame(2, id, Buffer.from([STREAMS.indexOf(stream)]));
}

/** Cuts the spawner's output into its events, however the pipe delivers it. */
export class FrameReader {
  private buffered: Buffer = Buffer.alloc(0);

  reset(): void {
    this.buffered = Buffer.alloc(0);
  }

  push(chunk: Buffer): HelperMessage[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const messages: HelperMessage[] = [];
    let at = 0;
    while (this.buffered.length - at >= 4) {
      const length = this.buffered.readUInt32LE(at);
      if (this.buffered.length - at - 4 < length) break;
      messages.push(parse(this.buffered.subarray(at + 4, at + 4 + length)));
      at += 4 + length;
    }
    this.buffered = this.buffered.subarray(at);
    return messages;
  }
}

function parse(body: Buffer): HelperMessage {
  const type = body.readUInt8(0);
  const id = body.readUInt32LE(1);
  const stream = (): HelperStream => STREAMS[body.readUInt8(5)] ?? "stdout";
  switch (type) {
    case 1:
      return { type: "spawned", id, pid: body.readInt32LE(5) };
    case 2:
      // A copy: a slice would keep alive the whole chunk of frames it arrived in.
      return { type: "data", id, stream: stream(), chunk: Buffer.from(body.subarray(6)) };
    case 3:
      return { type: "end", id, stream: stream() };
    case 4: {
      const code = body.readInt32LE(5);
      const signal = body.readInt32LE(9);
      return {
        type: "exit",
        id,
        code: code < 0 ? null : code,
        signal: signal === 0 ? null : (SIGNAL_NAMES.get(signal) ?? null),
      };
    }
    case 5: {
      const text = body.subarray(5).toString("utf8");
      const [code = "EIO", message = ""] = text.split("\0");
      return { type: "error", id, code, message: `spawn ${message.replace(/\0$/, "")}` };
    }
    default:
      throw new Error(`the spawn helper sent a frame of unknown type ${type}`);
  }
}
