/**
 * The shell steps that run one API command inside a container image (ECS Exec and Kubernetes
 * exec alike): change to the working directory, export the env, run under `timeout`, with
 * stdout and stderr in two temporary files.
 *
 * Output goes to files, not the exec stream, so a background process the command leaves running
 * (a student's web server) cannot hold the exec session open. The image needs sh, mktemp, head,
 * timeout and rm (coreutils or busybox).
 *
 * The command runs in a session of its own (`setsid`), away from any terminal: ECS Exec starts
 * the script as session leader on a pty (amazon-ssm-agent 3.3, agent/session/shell/shell_unix.go),
 * and when that shell exits Linux sends SIGHUP to the pty's foreground process group
 * (drivers/tty/tty_jobctrl.c, disassociate_ctty). GNU timeout leaves that group on its own;
 * busybox timeout (Alpine) does not, so without setsid a server started with `&` died with the call.
 * An image without setsid gets SIGHUP ignored instead (inherited by what the command starts).
 */
import { HubError } from "../errors.js";
import { shellCommand, shellQuote } from "./shell-quote.js";
import type { RunRequest } from "./types.js";

/** Seconds `timeout` waits after SIGTERM before SIGKILL. */
export const KILL_AFTER_SECONDS = 2;

/** Exit statuses a command killed by `timeout` ends with: 124 (GNU timeout), 128+KILL, 128+TERM (busybox). */
const TIMEOUT_EXIT_CODES = new Set([124, 137, 143]);

/** Sets $s to "setsid" when the image has it, else ignores SIGHUP; `exec $s timeout ...` follows. */
const DETACH_FROM_TERMINAL = "if command -v setsid >/dev/null; then s=setsid; else s=; trap '' HUP; fi";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export type ScriptRequest = Pick<RunRequest, "command" | "cwd" | "env" | "timeoutMs" | "maxOutputBytes">;

/** `timeout` takes whole seconds everywhere (busybox has no fractions): round up, at least 1. */
export const timeoutSeconds = (timeoutMs: number): number => Math.max(1, Math.ceil(timeoutMs / 1000));

/** True when the command most likely ended because `timeout` killed it. */
export function killedByTimeout(exitCode: number, elapsedMs: number, timeoutMs: number): boolean {
  // Only a timeout kill takes at least the whole timeout; a command exiting 124 early is not one.
  return TIMEOUT_EXIT_CODES.has(exitCode) && elapsedMs >= timeoutSeconds(timeoutMs) * 1000;
}

/**
 * Script lines that leave the command's output in "$d/o" and "$d/e" and its exit status in "$c".
 * What follows them reads the files back, then must `rm -rf "$d"`.
 */
export function commandIntoFiles(request: ScriptRequest, workdir: string): string[] {
  if (request.command.length === 0) throw new HubError("invalid_request", "command must name a program");
  const exports = Object.entries(request.env ?? {}).map(([name, value]) => {
    if (!ENV_NAME.test(name)) {
      throw new HubError(
        "invalid_request",
        `env name ${JSON.stringify(name)} is invalid: use letters, digits and _, not starting with a digit`,
      );
    }
    return `export ${name}=${shellQuote(value)}`;
  });
  const directory = request.cwd === undefined || request.cwd === "" ? workdir : `${workdir}/${request.cwd}`;
  const steps = [
    `mkdir -p ${shellQuote(workdir)}`,
    `cd ${shellQuote(directory)}`,
    ...exports,
    DETACH_FROM_TERMINAL,
    `exec $s timeout -k ${KILL_AFTER_SECONDS} ${timeoutSeconds(request.timeoutMs)} ${shellCommand(request.command)}`,
  ];
  return ["d=$(mktemp -d) || exit 70", `(${steps.join(" && ")}) </dev/null >"$d/o" 2>"$d/e"`, "c=$?"];
}
