/** Checks a path that is relative to the container's working directory; returns why it is refused, or undefined. */
export function relativePathProblem(path: string): string | undefined {
  if (path === "" || path === ".") return "must name a file or directory";
  if (path.includes("\0")) return "must not contain NUL";
  if (path.startsWith("/")) return "must be relative to the working directory (no leading '/')";
  if (path.split("/").includes("..")) return "must not contain '..'";
  // Far below PATH_MAX (4096, limits.h): longer paths are mistakes, not files.
  if (path.length > 1024) return "must be at most 1024 characters";
  return undefined;
}
