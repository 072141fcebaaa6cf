import { hasLoneSurrogate, LONE_SURROGATE_PROBLEM } from "./unicode.js";

/** Checks a path that is relative to the container's working directory; returns why it is refused, or undefined. */
export function relativePathProblem(path: string): string | undefined {
  if (path === "" || path === ".") return "must name a file or directory";
  if (path.includes("\0")) return "must not contain NUL";
  if (hasLoneSurrogate(path)) return LONE_SURROGATE_PROBLEM;
  if (path.startsWith("/")) return "must be relative to the working directory (no leading '/')";
  if (path.split("/").includes("..")) return "must not contain '..'";
  // Far below PATH_MAX (4096, limits.h): longer paths are mistakes, not files.
  if (path.length > 1024) return "must be at most 1024 characters";
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
