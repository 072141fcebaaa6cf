/**
 * One command in a sandbox Pod over the exec WebSocket (v5.channel.k8s.io, which the client
 * offers first). `Exec.exec()` resolves when the socket opens, not when the command ends
 * (@kubernetes/client-node 1.x, src/exec.ts): the result is complete only when the status channel has spoken and the socket
 * has closed. A close without a status is an error, never exit code 0.
 */
import { Readable, Writable } from "node:stream";
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

function chunks(data: Buffer): Readable {
  const parts: Buffer[] = [];
  for (let at = 0; at < data.length; at += STDIN_CHUNK_BYTES)
    parts.push(data.subarray(at, at + STDIN_CHUNK_BYTES));
  return Readable.from(parts);
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
  const socket = await exec
    .exec(
      target.namespace,
      target.pod,
      target.container,
      [...argv],
      sink(stdout),
      sink(stderr),
      options.stdin === undefined ? null : chunks(options.stdin),
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
  const gaveUp = await new Promise<boolean>((resolve) => {
    if (socket.readyState === socket.CLOSED) {
      resolve(false);
      return;
    }
    const timer = setTimeout(() => {
      resolve(true);
      socket.close();
    }, options.deadlineMs);
    socket.once("close", () => {
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
