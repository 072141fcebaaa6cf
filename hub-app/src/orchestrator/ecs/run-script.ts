/**
 * The shell script every ECS Exec command runs in, and how its output reads back.
 *
 * ECS Exec passes no exit code back and runs on a pty that merges stdout and stderr and turns
 * "\n" into "\r\n". So the script runs the command with stdout and stderr in two temporary
 * files, then prints each as base64 between markers, then the exit code:
 *
 *   __HUB_OUT_<nonce>__ <base64 stdout> __HUB_ERR_<nonce>__ <base64 stderr> __HUB_EXIT_<nonce>_<code>__
 *
 * Base64 never contains "_", so nothing the command prints can forge a marker, and whitespace
 * the pty adds is dropped before decoding. Each stream is cut at maxOutputBytes + 1 inside the
 * container (the +1 tells the Hub it was truncated). Output goes to files, not a pipe, so a
 * background process the command leaves running (a student's server) cannot hold the session
 * open. The image needs sh, mktemp, head, base64, timeout and rm (coreutils or busybox).
 */
import { randomBytes } from "node:crypto";
import { HubError } from "../../errors.js";
import { commandIntoFiles, type ScriptRequest } from "../command-script.js";
import { shellQuote } from "../shell-quote.js";

export const newNonce = (): string => randomBytes(6).toString("hex");

const markers = (nonce: string) => ({
  out: `__HUB_OUT_${nonce}__`,
  err: `__HUB_ERR_${nonce}__`,
  exit: `__HUB_EXIT_${nonce}_`,
});

/** The script (for `sh -c`) that runs `request` in `workdir` and frames its output. */
export function buildRunScript(request: ScriptRequest, workdir: string, nonce: string): string {
  return [...commandIntoFiles(request, workdir), ...framedOutput(request.maxOutputBytes, nonce)].join("; ");
}

/** Script lines that print "$d/o", "$d/e" (cut at maxOutputBytes + 1) and "$c" between markers, then remove "$d". */
export function framedOutput(maxOutputBytes: number, nonce: string): string[] {
  const keep = maxOutputBytes + 1;
  const mark = markers(nonce);
  return [
    `printf '\\n%s\\n' ${mark.out}`,
    `head -c ${keep} "$d/o" | base64`,
    `printf '\\n%s\\n' ${mark.err}`,
    `head -c ${keep} "$d/e" | base64`,
    `printf '\\n%s%s__\\n' ${mark.exit} "$c"`,
    'rm -rf "$d"',
  ];
}

/** The ExecuteCommand `command` for a script: the agent runs it with `sh -c` (or splits it like a shell); either way this works. */
export const execCommandFor = (script: string): string => `sh -c ${shellQuote(script)}`;

export interface ParsedRun {
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  readonly exitCode: number;
}

/** The framed output read back; undefined while (or if never) the exit marker arrived. */
export function parseRunOutput(text: string, nonce: string): ParsedRun | undefined {
  const mark = markers(nonce);
  const exit = new RegExp(`${mark.exit}(\\d+)__`).exec(text);
  if (exit === null) return undefined;
  const outAt = text.indexOf(mark.out);
  const errAt = text.indexOf(mark.err);
  if (outAt < 0 || errAt < outAt || exit.index < errAt) {
    throw new HubError(
      "container_failed",
      "the command's output came back out of order; the exec session is garbled",
    );
  }
  return {
    stdout: decodeSection(text.slice(outAt + mark.out.length, errAt)),
    stderr: decodeSection(text.slice(errAt + mark.err.length, exit.index)),
    exitCode: Number(exit[1]),
  };
}

function decodeSection(section: string): Buffer {
  const base64 = section.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) {
    throw new HubError(
      "container_failed",
      "the command's output did not come back as base64; the exec session is garbled",
    );
  }
  return Buffer.from(base64, "base64");
}
