import { hasLoneSurrogate, LONE_SURROGATE_PROBLEM } from "./unicode.js";

// Far below PATH_MAX (4096, limits.h): longer paths are mistakes, not files.
export const MAX_PATH_CHARS = 1024;

// The same rules as patterns (ECMA-262 regular expressions, no lookaround) for the OpenAPI
// document, so generated clients and property-based tests know them; the checks below word the errors.
/** One path segment that is neither "." nor "..": no '/', no NUL. */
const SEGMENT = String.raw`(?:[^/.\x00][^/\x00]*|\.[^/.\x00][^/\x00]*|\.\.[^/\x00]+)`;
/** filePathProblem as a pattern: segments joined by single '/', none empty, "." or "..". */
export const FILE_PATH_PATTERN = `^${SEGMENT}(?:/${SEGMENT})*$`;
/** relativePathProblem as a pattern: no leading '/', no ".." segment, not "." alone. */
export const RELATIVE_PATH_PATTERN = String.raw`^(?:${SEGMENT}(?:/(?:${SEGMENT}|\.)?)*|\.(?:/(?:${SEGMENT}|\.)?)+)$`;

/** Checks a path that is relative to the container's working directory; returns why it is refused, or undefined. */
export function relativePathProblem(path: string): string | undefined {
  if (path === "" || path === ".") return "must name a file or directory";
  if (path.includes("\0")) return "must not contain NUL";
  if (hasLoneSurrogate(path)) return LONE_SURROGATE_PROBLEM;
  if (path.startsWith("/")) return "must be relative to the working directory (no leading '/')";
  if (path.split("/").includes("..")) return "must not contain '..'";
  if (path.length > MAX_PATH_CHARS) return `must be at most ${MAX_PATH_CHARS} characters`;
  return undefined;
}

/** A file to write: a relative path that names a file, so no empty or `.` segment and no trailing '/'. */
export function filePathProblem(path: string): string | undefined {
  const problem = relativePathProblem(path);
  if (problem !== undefined) return problem;
  // tar takes "d/" or "./" as a directory entry and would apply the file's mode to the working directory.
  if (path.endsWith("/")) return "must name a file, not end with '/'";
  if (path.split("/").some((segment) => segment === "" || segment === ".")) {
    return "must not contain empty or '.' segments";
  }
  return undefined;
}
