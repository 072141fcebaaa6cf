/**
 * Writing files into a sandbox task over ECS Exec: the files become one tar archive, its base64
 * travels inside ExecuteCommand command strings (there is no stdin to stream through the API),
 * split into parts that fit the command-length limit. Every part lands in a temporary folder
 * (parts in parallel, up to uploadConcurrency sessions); the last session adds the last part,
 * refuses paths that pass through a symbolic link in the container, and runs
 * `cat parts | base64 -d | tar -x`. Its exit code says whether it all worked.
 */
import tarStream from "tar-stream";
import { HubError } from "../../errors.js";
import type { FileToWrite, RunRequest, RunResult } from "../types.js";
import { buildRunScript, execCommandFor } from "./run-script.js";
import { shellCommand, shellQuote } from "../shell-quote.js";

/** Exit status of the upload script when a path passes through a symlink (EX_DATAERR in sysexits.h). */
const SYMLINK_EXIT = 65;
/** Each upload session's own time limit; a part is at most a few hundred KiB. */
const UPLOAD_TIMEOUT_MS = 120_000;
/** Output kept from an upload script: its error messages only. */
const UPLOAD_OUTPUT_BYTES = 8192;

export type RunScript = (request: RunRequest) => Promise<RunResult>;

export interface UploadSettings {
  readonly workdir: string;
  readonly execCommandMaxChars: number;
  readonly uploadConcurrency: number;
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

const partName = (index: number): string => `part-${String(index).padStart(6, "0")}`;

function partScript(folder: string, index: number, payload: string): string {
  return `mkdir -p ${shellQuote(folder)} && printf %s ${shellQuote(payload)} > ${shellQuote(`${folder}/${partName(index)}`)}`;
}

function finalScript(
  folder: string,
  index: number,
  payload: string,
  workdir: string,
  paths: readonly string[],
): string {
  const check =
    `for p in ${shellCommand(paths)}; do if [ -L "$p" ]; then ` +
    `echo "$p is a symbolic link in the sandbox" >&2; exit ${SYMLINK_EXIT}; fi; done`;
  return [
    partScript(folder, index, payload),
    `(${check}) && cat ${shellQuote(folder)}/part-* | base64 -d | tar -x -f - -C ${shellQuote(workdir)}`,
  ]
    .join(" && ")
    .concat(`; c=$?; rm -rf ${shellQuote(folder)}; exit $c`);
}

const uploadRequest = (script: string): RunRequest => ({
  command: ["sh", "-c", script],
  timeoutMs: UPLOAD_TIMEOUT_MS,
  maxOutputBytes: UPLOAD_OUTPUT_BYTES,
});

/** Splits base64 text into parts whose whole ExecuteCommand string stays within the limit (multiples of 4). */
export function partSize(
  settings: UploadSettings,
  folder: string,
  paths: readonly string[],
  nonce: string,
): number {
  const emptyFinal = finalScript(folder, 999_999, "", settings.workdir, paths);
  const overhead = execCommandFor(buildRunScript(uploadRequest(emptyFinal), settings.workdir, nonce)).length;
  const room = Math.floor((settings.execCommandMaxChars - overhead) / 4) * 4;
  if (room < 1024) {
    throw new HubError(
      "invalid_request",
      `the file paths are too long to write through ECS Exec (${overhead} of ${settings.execCommandMaxChars} command characters)`,
    );
  }
  return room;
}

/** Writes `files` under `settings.workdir`, running each upload script through `runScript`. */
export async function uploadFiles(
  files: readonly FileToWrite[],
  settings: UploadSettings,
  runScript: RunScript,
  nonce: string,
): Promise<void> {
  if (files.length === 0) return;
  const base64 = (await tarArchive(files)).toString("base64");
  const folder = `/tmp/.hub-upload-${nonce}`;
  const paths = touchedPaths(files);
  const size = partSize(settings, folder, paths, nonce);
  const parts: string[] = [];
  for (let start = 0; start < base64.length; start += size) parts.push(base64.slice(start, start + size));
  const last = parts.length - 1;
  await inParallel(parts.slice(0, last), settings.uploadConcurrency, async (payload, index) =>
    expectSuccess(await runScript(uploadRequest(partScript(folder, index, payload)))),
  );
  expectSuccess(
    await runScript(uploadRequest(finalScript(folder, last, parts[last] ?? "", settings.workdir, paths))),
  );
}

function expectSuccess(result: RunResult): void {
  if (result.exitCode === 0) return;
  const detail = result.stderr.trim() || result.stdout.trim() || "no message";
  if (result.exitCode === SYMLINK_EXIT) {
    throw new HubError("invalid_request", `cannot write files through a symbolic link: ${detail}`);
  }
  const how = result.timedOut ? "timed out" : `exit code ${result.exitCode}`;
  throw new HubError("container_failed", `writing files in the sandbox failed (${how}): ${detail}`);
}

async function inParallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
