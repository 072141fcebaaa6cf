/**
 * POSIX shell quoting: the word reads back as exactly `value` in sh, dash, bash and busybox ash.
 * Inside single quotes nothing is special except the quote itself, which becomes '\''.
 */
import { HubError } from "../errors.js";

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function shellQuote(value: string): string {
  // A NUL cannot be part of an argument or environment value: the kernel would cut it there.
  if (value.includes("\0"))
    throw new HubError("invalid_request", "command arguments and env values cannot contain NUL bytes");
  if (SAFE_WORD.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Words joined by spaces, each quoted: `shellCommand(["echo", "a b"])` is `echo 'a b'`. */
export function shellCommand(words: readonly string[]): string {
  return words.map(shellQuote).join(" ");
}
