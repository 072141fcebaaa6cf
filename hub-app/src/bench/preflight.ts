/** Checks done before any container is created: the files to upload can be read, the JSON file can be written. */
import { constants } from "node:fs";
import { access, readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { FileUpload } from "./client.js";
import { UsageError } from "./options.js";

const PERMISSION_BITS = 0o777;

function reason(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

/** Reads every --files path; each lands in the container's working directory under its base name. */
export async function loadFiles(paths: readonly string[]): Promise<FileUpload[]> {
  const seen = new Map<string, string>();
  const uploads: FileUpload[] = [];
  for (const filePath of paths) {
    const name = path.basename(filePath);
    const clash = seen.get(name);
    if (clash !== undefined) {
      throw new UsageError(`--files ${filePath} and ${clash} would both be written as "${name}"; rename one`);
    }
    seen.set(name, filePath);
    let content: Buffer;
    let mode: number;
    try {
      const info = await stat(filePath);
      if (!info.isFile()) throw new UsageError(`--files ${filePath} is not a regular file`);
      mode = info.mode & PERMISSION_BITS;
      content = await readFile(filePath);
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`--files ${filePath} cannot be read (${reason(error)})`);
    }
    uploads.push({ path: name, content: content.toString("base64"), encoding: "base64", mode });
  }
  return uploads;
}

/** The JSON/HTML output goes into an existing, writable directory (checked now, not after a long run). */
export async function checkWritableTarget(flag: string, filePath: string): Promise<void> {
  // Found now, not after a run whose results would then be lost.
  if ((await stat(filePath).catch(() => undefined))?.isDirectory() === true) {
    throw new UsageError(`${flag} ${filePath} is a directory; give a file name`);
  }
  const directory = path.dirname(path.resolve(filePath));
  try {
    await access(directory, constants.W_OK);
  } catch (error) {
    throw new UsageError(`${flag} ${filePath}: directory ${directory} is not writable (${reason(error)})`);
  }
}
