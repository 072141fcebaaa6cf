import { pack } from "tar-stream";
import type { FileToWrite } from "./types.js";

const DEFAULT_FILE_MODE = 0o644;

/** A tar archive (in memory: the API caps a call at HUB_FILES_MAX_BYTES) of the files to write. */
export function tarArchive(files: readonly FileToWrite[]): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on("data", (chunk: unknown) => chunks.push(chunk as Buffer));
  const done = new Promise<Buffer>((resolve, reject) => {
    archive.once("end", () => resolve(Buffer.concat(chunks)));
    archive.once("error", reject);
  });
  for (const file of files) {
    archive.entry(
      { name: file.path, mode: file.mode ?? DEFAULT_FILE_MODE, size: file.content.length, type: "file" },
      file.content,
    );
  }
  archive.finalize();
  return done;
}
