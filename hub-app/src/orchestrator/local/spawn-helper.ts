import { spawn, type ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import { Readable } from "node:stream";

/**
 * The helper's whole program: it spawns what it is asked to (detached: its own process group and
 * session), writes the given stdin, and forwards output (stdout, stderr unless it goes to a file, and
 * fd 3 when asked for), end and exit as messages; it decides nothing else. Plain JavaScript run by
 * `node -e`, the same under tsx, vitest and the compiled build.
 */
const HELPER_SOURCE = `"use strict";
const { spawn } = require("node:child_process");
const { openSync, closeSync } = require("node:fs");
const children = new Map();
// With a callback a failed send (the Hub gone: EPIPE) is not an 'error' event that kills the helper; "disconnect" ends it.
const send = (message) => process.connected && process.send(message, () => undefined);
process.on("disconnect", () => process.exit(0));
process.on("message", (m) => {
  if (m.type === "close") return children.get(m.id)?.[m.stream]?.destroy();
  let child;
  let stderrFd;
  try {
    if (m.stderrFile !== undefined) stderrFd = openSync(m.stderrFile, "w", 0o600);
    const stdio = ["pipe", "pipe", stderrFd ?? "pipe", ...(m.info ? ["pipe"] : [])];
    child = spawn(m.argv[0], m.argv.slice(1), { detached: true, env: m.env, stdio });
  } catch (error) {
    return send({ type: "error", id: m.id, message: error.message, code: error.code });
  } finally {
    if (stderrFd !== undefined) closeSync(stderrFd);
  }
  const streams = { stdout: child.stdout, stderr: child.stderr ?? undefined, info: child.stdio[3] ?? undefined };
  children.set(m.id, streams);
  child.once("error", (error) => send({ type: "error", id: m.id, message: error.message, code: error.code }));
  if (child.pid !== undefined) send({ type: "spawned", id: m.id, pid: child.pid });
  for (const [name, stream] of Object.entries(streams)) {
    if (stream === undefined) continue;
    let bytes = 0;
    stream.on("data", (chunk) => {
      send({ type: "data", id: m.id, stream: name, chunk });
      bytes += chunk.length;
      if (bytes > m.maxOutputBytes) stream.destroy();
    });
    stream.once("end", () => send({ type: "end", id: m.id, stream: name }));
  }
  child.stdin.on("error", () => undefined);
  child.stdin.end(m.stdin === undefined ? undefined : Buffer.from(m.stdin));
  child.once("exit", (code, signal) => send({ type: "exit", id: m.id, code, signal }));
  child.once("close", () => children.delete(m.id));
});
`;

/**
 * A fork costs in proportion to what the forking process has mapped: the helper runs without V8's
 * background threads and with a 1 MiB young generation, which took its fork of `true` from 1.8 to
 * 1.5 ms of its CPU here (node 20; hub-app/bench/floor.ts measures the runs it serves).
 */
const HELPER_FLAGS = ["--single-threaded", "--max-semi-space-size=1"];

/** SIGKILLs the process group `pid` leads (a process started detached, and what it started); gone is fine. */
export function killProcessGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/** The output streams a helper-started process may have: fd 1, fd 2 and fd 3. */
export type HelperStream = "stdout" | "stderr" | "info";

export interface HelperSpawnOptions {
  readonly stdin?: Buffer;
  /** Output kept per stream; past it the helper stops reading (the writer gets SIGPIPE). */
  readonly maxOutputBytes: number;
  /** stderr goes to this file (opened by the helper, mode 0600) instead of a stream. */
  readonly stderrFile?: string;
  /** A pipe on fd 3 as the `info` stream (bwrap's --info-fd). */
  readonly info?: boolean;
}

type HelperMessage =
  | { type: "spawned"; id: number; pid: number }
  | { type: "data"; id: number; stream: HelperStream; chunk: Uint8Array }
  | { type: "end"; id: number; stream: HelperStream }
  | { type: "exit"; id: number; code: number | null; signal: NodeJS.Signals | null }
  | { type: "error"; id: number; message: string; code?: string };

/** A process the helper started: its output as streams, `exit` and `error` events as a ChildProcess has. */
export class HelperProcess extends EventEmitter {
  pid: number | undefined;
  exited = false;
  /** Unreferenced: running on does not keep this Node process alive (a sandbox outliving a test). */
  unreferenced = false;
  readonly stdout: Readable;
  /** Undefined when stderr went to a file. */
  readonly stderr: Readable | undefined;
  /** fd 3, when asked for. */
  readonly info: Readable | undefined;

  constructor(
    closeStream: (stream: HelperStream) => void,
    private readonly onUnref: () => void,
    options: Pick<HelperSpawnOptions, "stderrFile" | "info">,
  ) {
    super();
    const stream = (name: HelperStream): Readable =>
      new Readable({
        read: () => undefined,
        destroy: (error, callback) => {
          closeStream(name);
          callback(error);
        },
      });
    this.stdout = stream("stdout");
    this.stderr = options.stderrFile === undefined ? stream("stderr") : undefined;
    this.info = options.info === true ? stream("info") : undefined;
  }

  stream(name: HelperStream): Readable | undefined {
    return this[name];
  }

  /** Every output stream closed by the caller (or ended and destroyed). */
  streamClosed(): boolean {
    return [this.stdout, this.stderr, this.info].every((stream) => stream === undefined || stream.destroyed);
  }

  /** SIGKILLs its process group (the helper starts it detached): now, or once the helper reports its pid. */
  killGroup(): void {
    if (this.pid !== undefined) killProcessGroup(this.pid);
    else this.once("spawn", () => killProcessGroup(this.pid));
  }

  /** Lets this Node process exit while the process runs on (ChildProcess.unref). */
  unref(): void {
    if (this.unreferenced) return;
    this.unreferenced = true;
    this.onUnref();
  }
}

/**
 * Starts processes from a small long-lived Node process instead of the Hub. `child_process.spawn`
 * forks the calling process on its event loop, and a fork costs in proportion to the caller's memory
 * (1.6 ms at 45 MiB, 27 ms at 248 MiB here; docs/measurements.md, the Hub at the floor): the helper stays
 * small and forks on another core. Started on first use; a helper that died is started again.
 */
export class SpawnHelper {
  private helper: ChildProcess | undefined;
  private readonly running = new Map<number, HelperProcess>();
  private nextId = 0;

  spawn(
    argv: readonly string[],
    env: Readonly<Record<string, string>>,
    options: HelperSpawnOptions,
  ): HelperProcess {
    const helper = this.start();
    const id = this.nextId++;
    // Output may arrive after the exit, the exit after the output ended (a stream is destroyed once
    // it ended): the process is forgotten once its streams are closed and its exit was reported.
    const child = new HelperProcess(
      (stream) => {
        if (!this.running.has(id)) return;
        helper.send({ type: "close", id, stream });
        if (child.streamClosed() && child.exited) this.finish(id);
      },
      () => this.idleUnlessReferenced(),
      options,
    );
    this.running.set(id, child);
    helper.ref();
    (helper.channel as { ref?: () => void } | undefined)?.ref?.();
    helper.send({ type: "spawn", id, argv, env, ...options });
    return child;
  }

  /** The helper's pid while it runs (tests kill it to see the Hub carry on). */
  pid(): number | undefined {
    return this.helper?.pid;
  }

  private start(): ChildProcess {
    if (this.helper !== undefined) return this.helper;
    const helper = spawn(process.execPath, [...HELPER_FLAGS, "-e", HELPER_SOURCE], {
      env: {},
      stdio: ["ignore", "ignore", "inherit", "ipc"],
      serialization: "advanced",
    });
    helper.on("message", (message: HelperMessage) => this.receive(message));
    // A send to a helper that just died: its exit (below) fails what was in flight.
    helper.on("error", () => undefined);
    helper.once("exit", () => {
      if (this.helper === helper) this.helper = undefined;
      const lost = [...this.running.values()];
      this.running.clear();
      for (const child of lost) child.emit("error", new Error("the spawn helper exited"));
    });
    this.helper = helper;
    this.idle();
    return helper;
  }

  private receive(message: HelperMessage): void {
    const child = this.running.get(message.id);
    if (child === undefined) return;
    switch (message.type) {
      case "spawned":
        child.pid = message.pid;
        child.emit("spawn");
        return;
      case "data":
        child
          .stream(message.stream)
          ?.push(Buffer.from(message.chunk.buffer, message.chunk.byteOffset, message.chunk.byteLength));
        return;
      case "end":
        child.stream(message.stream)?.push(null);
        return;
      case "exit":
        child.exited = true;
        if (child.streamClosed()) this.finish(message.id);
        child.emit("exit", message.code, message.signal);
        return;
      case "error":
        this.finish(message.id);
        child.emit("error", Object.assign(new Error(message.message), { code: message.code }));
    }
  }

  private finish(id: number): void {
    this.running.delete(id);
    this.idleUnlessReferenced();
  }

  private idleUnlessReferenced(): void {
    if ([...this.running.values()].every((child) => child.unreferenced)) this.idle();
  }

  /** Nothing in flight: the helper must not keep the Hub (or a test) running. */
  private idle(): void {
    this.helper?.unref();
    (this.helper?.channel as { unref?: () => void } | undefined)?.unref?.();
  }
}
