import { HubError } from "../errors.js";
import type { FileToWrite } from "../orchestrator/types.js";
import { hasLoneSurrogate, LONE_SURROGATE_PROBLEM } from "../unicode.js";

// Checked after whitespace is removed: one character class and no overlapping quantifiers, so linear time.
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const WHITESPACE = /\s+/g;

export interface FileInput {
  readonly path: string;
  readonly content: string;
  readonly encoding: "utf8" | "base64";
  readonly mode?: number | undefined;
}

/** The files of `PUT .../files` as bytes, refusing bad base64 and a decoded total over `maxBytes`. */
export function decodeFiles(files: readonly FileInput[], maxBytes: number): FileToWrite[] {
  let total = 0;
  return files.map((file, index) => {
    if (file.encoding === "base64" && !BASE64.test(file.content.replace(WHITESPACE, ""))) {
      throw new HubError("invalid_request", `files[${index}].content is not valid base64`);
    }
    if (file.encoding === "utf8" && hasLoneSurrogate(file.content)) {
      throw new HubError(
        "invalid_request",
        `files[${index}].content ${LONE_SURROGATE_PROBLEM}: send such bytes as base64`,
      );
    }
    const content = Buffer.from(file.content, file.encoding);
    total += content.length;
    if (total > maxBytes) {
      throw new HubError(
        "payload_too_large",
        `files add up to more than ${maxBytes} bytes; at most ${maxBytes} bytes per call`,
      );
    }
    return { path: file.path, content, ...(file.mode === undefined ? {} : { mode: file.mode }) };
  });
}
