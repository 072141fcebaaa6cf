/**
 * Writing files into a sandbox task over ECS Exec: the files become one tar archive streamed through
 * the session's stdin. Input messages (payload type 1) reach the command's pty (amazon-ssm-agent
 * 3.3.1142.0, agent/session/shell/shell_unix.go, InputStreamMessageHandler), so one session does it:
 * the script puts the pty in raw mode without echo (bytes pass unchanged and do not come back),
 * prints a marker, and `head -c <size> | tar -x` reads exactly the archive. The Hub sends the
 * archive only after the marker, so nothing reaches the pty before it is raw. The script also
 * refuses paths that pass through a symbolic link in the container; its exit code says whether it
 * all worked. The image needs stty, head and tar (coreutils or busybox).
 */
import tarStream from "tar-stream";
import { HubError } from "../../errors.js";
import type { FileToWrite, RunResult } from "../types.js";
import { framedOutput } from "./run-script.js";
import { shellCommand, shellQuote } from "../shell-quote.js";

/** Exit status of the upload script when a path passes through a symlink (EX_DATAERR in sysexits.h). */
const SYMLINK_EXIT = 65;
/** Output kept from an upload script: its error messages only. */
export const UPLOAD_OUTPUT_BYTES = 8192;

/** An upload script and what to send once it printed `sendAfter`. */
export interface StdinScript {
  readonly script: string;
  readonly sendAfter: string;
  readonly stdin: Buffer;
}

/** Every file, plus an entry for each parent folder, as one tar archive. */
export async function tarArchive(files: readonly FileToWrite[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const folders = new Set<string>();
  for (const file of files) {
    for (const folder of parentFolders(checkedPath(file.path))) {
      if (folders.has(folder)) continue;
      folders.add(folder);
      pack.entry({ name: folder, type: "directory", mode: 0o755 });
    }
    pack.entry(
      { name: file.path, type: "file", mode: file.mode ?? 0o644, size: file.content.length },
      file.content,
    );
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The API layer already refuses these; checked again because the path reaches a root shell. */
function checkedPath(path: string): string {
  const parts = path.split("/");
  if (
    path === "" ||
    path.startsWith("/") ||
    parts.some((part) => part === ".." || part === "") ||
    path.includes("\0")
  ) {
    throw new HubError(
      "invalid_request",
      `file path ${JSON.stringify(path)} must be relative, without '..' or empty parts`,
    );
  }
  return path;
}

/** "a/b/c.txt" -> ["a", "a/b"]. */
function parentFolders(path: string): string[] {
  const parts = path.split("/").slice(0, -1);
  return parts.map((_, index) => parts.slice(0, index + 1).join("/"));
}

/** Every path the archive touches, for the symlink check: each file and each of its parent folders. */
function touchedPaths(files: readonly FileToWrite[]): string[] {
  return [...new Set(files.flatMap((file) => [...parentFolders(file.path), file.path]))];
}

/** The script that writes `archive` under `workdir` from the session's stdin, framed like a run. */
export function uploadScript(
  archive: Buffer,
  files: readonly FileToWrite[],
  workdir: string,
  nonce: string,
): StdinScript {
  const sendAfter = `__HUB_SEND_${nonce}__`;
  const check =
    `for p in ${shellCommand(touchedPaths(files))}; do if [ -L "$p" ]; then ` +
    `echo "$p is a symbolic link in the sandbox" >&2; exit ${SYMLINK_EXIT}; fi; done`;
  const steps = [
    `mkdir -p ${shellQuote(workdir)}`,
    `cd ${shellQuote(workdir)}`,
    `(${check})`,
    "stty raw -echo",
    `printf '\\n%s\\n' ${sendAfter} >&3`,
    `head -c ${archive.length} | tar -x -f -`,
  ];
  const script = [
    "d=$(mktemp -d) || exit 70",
    // fd 3 is the pty, for the marker; the steps' own output goes to files like a run's.
    `(${steps.join(" && ")}) 3>&1 >"$d/o" 2>"$d/e"`,
    "c=$?",
    ...framedOutput(UPLOAD_OUTPUT_BYTES, nonce),
  ].join("; ");
  return { script, sendAfter, stdin: archive };
}

/** Throws the HubError that explains a failed upload script. */
export function expectUploaded(result: RunResult): void {
  if (result.exitCode === 0) return;
  const detail = result.stderr.trim() || result.stdout.trim() || "no message";
  if (result.exitCode === SYMLINK_EXIT) {
    throw new HubError("invalid_request", `cannot write files through a symbolic link: ${detail}`);
  }
  const how = result.timedOut ? "timed out" : `exit code ${result.exitCode}`;
  throw new HubError("container_failed", `writing files in the sandbox failed (${how}): ${detail}`);
}
