/**
 * One command in a sandbox Pod over the exec WebSocket (v5.channel.k8s.io, which the client
 * offers first). `Exec.exec()` resolves when the socket opens, not when the command ends
 * (@kubernetes/client-node 1.4, src/exec.ts): the result is complete only when the status
 * channel has spoken and the socket has closed. A close without a status is an error, never
 * exit code 0.
 *
 * Stdin needs v5: only v5 can say "stdin ended" and keep the socket open for the exit status;
 * with v4 client-node ends stdin by closing the socket (src/web-socket-handler.ts,
 * handleStandardInput), so `tar -x` would see a cut archive and no status would ever come.
 * Stdin is therefore held back until the socket is open and its protocol checked.
 */
import { PassThrough, Writable } from "node:stream";
import type { Exec, V1Status } from "@kubernetes/client-node";
import { HubError } from "../../errors.js";
import { CappedOutput } from "../capped-output.js";

export interface ExecTarget {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
}

export interface ExecOptions {
  /** Sent on stdin, then stdin is half-closed (v5). */
  readonly stdin?: Buffer;
  /** Websocket pings this often while waiting (default EXEC_PING_INTERVAL_MS). */
  readonly pingIntervalMs?: number;
  /** The Hub gives up (and closes the socket) after this long. */
  readonly deadlineMs: number;
  readonly maxOutputBytes: number;
}

export interface ExecOutcome {
  /** undefined when the Hub gave up at the deadline. */
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
  readonly truncated: boolean;
}

// Frames of at most 64 KiB: a 10 MiB upload in one WebSocket message would sit whole in every buffer on the way.
const STDIN_CHUNK_BYTES = 64 * 1024;
/** The only exec subprotocol that can half-close stdin (KEP-4006; Kubernetes 1.30+ by default). */
export const STDIN_PROTOCOL = "v5.channel.k8s.io";
/**
 * Commands write to files, so an exec stream is silent until the command ends, and load balancers
 * in front of API servers cut silent connections; client-go pings its exec WebSocket every 5 s
 * (tools/remotecommand/websocket.go, pingPeriod).
 */
export const EXEC_PING_INTERVAL_MS = 5_000;

/** The exit code in an exec Status: Success is 0, NonZeroExitCode carries it in details.causes. */
export function exitCodeOf(status: V1Status): number | undefined {
  if (status.status === "Success") return 0;
  if (status.reason !== "NonZeroExitCode") return undefined;
  const cause = status.details?.causes?.find((c) => c.reason === "ExitCode");
  const code = Number(cause?.message);
  return Number.isInteger(code) ? code : undefined;
}

function sink(output: CappedOutput): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      output.push(chunk);
      done();
    },
  });
}

/** Writes `data` to `stdin` in chunks, respecting back-pressure, then ends it. */
async function feed(stdin: PassThrough, data: Buffer): Promise<void> {
  for (let at = 0; at < data.length; at += STDIN_CHUNK_BYTES) {
    if (!stdin.write(data.subarray(at, at + STDIN_CHUNK_BYTES)))
      await new Promise((resolve) => stdin.once("drain", resolve));
  }
  stdin.end();
}

/** The client rejects with the WebSocket's ErrorEvent (`{ message, error }`), not an Error. */
function describeSocketError(error: unknown): string {
  if (error instanceof Error) return error.message;
  const event = error as { message?: unknown; error?: unknown } | null;
  if (typeof event?.message === "string" && event.message !== "") return event.message;
  if (event?.error instanceof Error) return event.error.message;
  return "the connection failed";
}

export async function execInPod(
  exec: Exec,
  target: ExecTarget,
  argv: readonly string[],
  options: ExecOptions,
): Promise<ExecOutcome> {
  const stdout = new CappedOutput(options.maxOutputBytes);
  const stderr = new CappedOutput(options.maxOutputBytes);
  let status: V1Status | undefined;
  const stdin = options.stdin === undefined ? null : new PassThrough();
  const socket = await exec
    .exec(
      target.namespace,
      target.pod,
      target.container,
      [...argv],
      sink(stdout),
      sink(stderr),
      stdin,
      false,
      (received) => {
        status = received;
      },
    )
    .catch((error: unknown) => {
      throw new HubError(
        "container_failed",
        `cannot open an exec session in pod ${target.pod}: ${describeSocketError(error)}`,
        undefined,
        { cause: error },
      );
    });
  if (stdin !== null && options.stdin !== undefined) {
    if (socket.protocol !== STDIN_PROTOCOL) {
      socket.close();
      throw new HubError(
        "orchestrator_unavailable",
        `writing files needs the exec protocol ${STDIN_PROTOCOL} (Kubernetes 1.30 or later, with the API server's WebSocket stream translator on); the API server chose ${socket.protocol || "none"}`,
      );
    }
    void feed(stdin, options.stdin);
  }
  const gaveUp = await new Promise<boolean>((resolve) => {
    if (socket.readyState === socket.CLOSED) {
      resolve(false);
      return;
    }
    const pinger = setInterval(() => {
      if (socket.readyState === socket.OPEN) socket.ping();
    }, options.pingIntervalMs ?? EXEC_PING_INTERVAL_MS);
    const timer = setTimeout(() => {
      clearInterval(pinger);
      resolve(true);
      socket.close();
    }, options.deadlineMs);
    socket.once("close", () => {
      clearInterval(pinger);
      clearTimeout(timer);
      resolve(false);
    });
  });
  const outcome = {
    stdout: stdout.text(),
    stderr: stderr.text(),
    truncated: stdout.truncated || stderr.truncated,
  };
  if (gaveUp) return { ...outcome, exitCode: undefined };
  if (status === undefined) {
    throw new HubError(
      "container_failed",
      `the exec session in pod ${target.pod} closed before the command reported its exit status (the sandbox may have stopped)`,
    );
  }
  const exitCode = exitCodeOf(status);
  if (exitCode === undefined) {
    throw new HubError(
      "container_failed",
      `the command could not run in pod ${target.pod}: ${status.message ?? status.reason ?? "no reason given"}`,
    );
  }
  return { ...outcome, exitCode };
}
