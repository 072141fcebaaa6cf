import { spawn, type ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import { Readable } from "node:stream";
import { buildLauncher } from "./launcher.js";
import { closeRequest, FrameReader, spawnRequest } from "./spawner-protocol.js";

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

export type HelperMessage =
  | { type: "spawned"; id: number; pid: number }
  | { type: "data"; id: number; stream: HelperStream; chunk: Buffer }
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
 * Starts processes from `hub-launch spawner` (hub-app/native/hub-launch.c), a small long-lived
 * process, instead of the Hub. `child_process.spawn` forks the calling process on its event loop, and
 * a fork costs in proportion to the caller's memory (1.6 ms at 45 MiB, 27 ms at 248 MiB here): a Node
 * helper still took 0.8-1.5 ms of CPU per process, where posix_spawn from a C one takes a few tens of
 * microseconds (docs/measurements.md, the Hub at the floor). Started on first use (hub-launch is built
 * then if it is not yet); a helper that died is started again.
 */
export class SpawnHelper {
  private helper: ChildProcess | undefined;
  /** Requests written before the helper is up (hub-launch may still be building). */
  private pending: Buffer[] | undefined;
  private readonly running = new Map<number, HelperProcess>();
  private nextId = 0;
  private readonly frames = new FrameReader();

  constructor(private readonly launcher: () => Promise<string> = () => buildLauncher()) {}

  spawn(
    argv: readonly string[],
    env: Readonly<Record<string, string>>,
    options: HelperSpawnOptions,
  ): HelperProcess {
    this.start();
    const id = this.nextId;
    // Ids are u32 in the spawner's frames: wrapping is safe unless four billion are in flight.
    this.nextId = (this.nextId + 1) % 0x1_0000_0000;
    // Output may arrive after the exit, the exit after the output ended (a stream is destroyed once
    // it ended): the process is forgotten once its streams are closed and its exit was reported.
    const child = new HelperProcess(
      (stream) => {
        if (!this.running.has(id)) return;
        this.write(closeRequest(id, stream));
        if (child.streamClosed() && child.exited) this.finish(id);
      },
      () => this.idleUnlessReferenced(),
      options,
    );
    this.running.set(id, child);
    this.reference(true);
    this.write(spawnRequest(id, argv, env, options));
    return child;
  }

  /** The helper's pid while it runs (tests kill it to see the Hub carry on). */
  pid(): number | undefined {
    return this.helper?.pid;
  }

  private start(): void {
    if (this.helper !== undefined || this.pending !== undefined) return;
    const pending: Buffer[] = [];
    this.pending = pending;
    this.launcher().then(
      (launcher) => {
        if (this.pending !== pending) return;
        this.pending = undefined;
        this.launch(launcher, pending);
      },
      (error: unknown) => {
        if (this.pending !== pending) return;
        this.pending = undefined;
        this.lose(error instanceof Error ? error : new Error(String(error)));
      },
    );
  }

  private launch(launcher: string, pending: readonly Buffer[]): void {
    const helper = spawn(launcher, ["spawner"], { env: {}, stdio: ["pipe", "pipe", "inherit"] });
    this.frames.reset();
    helper.stdout.on("data", (chunk: Buffer) => {
      for (const message of this.frames.push(chunk)) this.receive(message);
    });
    // A write to a helper that just died: its exit (below) fails what was in flight.
    helper.stdin.on("error", () => undefined);
    const gone = (error: Error): void => {
      if (this.helper !== helper) return;
      this.helper = undefined;
      this.lose(error);
    };
    // Not started (hub-launch removed meanwhile: the next spawn builds it again), or exited.
    helper.on("error", (error) => gone(new Error(`the spawn helper failed: ${error.message}`)));
    helper.once("exit", () => gone(new Error("the spawn helper exited")));
    this.helper = helper;
    for (const request of pending) helper.stdin.write(request);
    if ([...this.running.values()].every((child) => child.unreferenced)) this.idle();
  }

  private lose(error: Error): void {
    const lost = [...this.running.values()];
    this.running.clear();
    // Each is told, even past one nobody listens to (emitting 'error' to no listener throws).
    for (const child of lost) if (child.listenerCount("error") > 0) child.emit("error", error);
  }

  private write(request: Buffer): void {
    if (this.pending !== undefined) this.pending.push(request);
    else this.helper?.stdin?.write(request);
  }

  private reference(on: boolean): void {
    const helper = this.helper;
    if (helper === undefined) return;
    // Pipes to a child are net.Sockets, which a process may ref and unref like the child itself.
    const handles = [helper, helper.stdin, helper.stdout] as ({ ref(): void; unref(): void } | null)[];
    for (const handle of handles)
      if (on) handle?.ref();
      else handle?.unref();
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
        child.stream(message.stream)?.push(message.chunk);
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
    this.reference(false);
  }
}
