/** The web scenario's app: the files each container gets and the command that serves them. */
import { readFile, readdir, stat } from "node:fs/promises";
import path from "node:path";
import type { FileUpload } from "./client.js";
import { UsageError, type WebAppSettings } from "./options.js";

/** The page the default app serves: small, so the figures are the path's cost, not the transfer's. */
export const DEFAULT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>hub-bench</title></head>
<body><h1>hub-bench web scenario</h1><p>Served from inside a sandbox, through the Hub.</p></body></html>
`;

const PERMISSION_BITS = 0o777;

function upload(relativePath: string, content: Buffer, mode?: number): FileUpload {
  return {
    path: relativePath,
    content: content.toString("base64"),
    encoding: "base64",
    ...(mode === undefined ? {} : { mode }),
  };
}

/** The files of --app (every regular file under it, paths kept), or the default index.html. */
export async function loadWebApp(app: WebAppSettings): Promise<FileUpload[]> {
  if (app.dir === undefined) return [upload("index.html", Buffer.from(DEFAULT_PAGE))];
  const root = app.dir;
  let entries;
  try {
    entries = await readdir(root, { recursive: true, withFileTypes: true });
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UsageError(`--app ${root} cannot be read as a directory (${why})`);
  }
  const files = entries.filter((entry) => entry.isFile());
  if (files.length === 0) throw new UsageError(`--app ${root} holds no files`);
  return Promise.all(
    files.map(async (entry) => {
      const full = path.join(entry.parentPath, entry.name);
      const { mode } = await stat(full);
      const relative = path.relative(root, full).split(path.sep).join("/");
      return upload(relative, await readFile(full), mode & PERMISSION_BITS);
    }),
  );
}

/**
 * The run request that starts the app and returns at once: nohup and no terminal, so the app outlives
 * the exec session (a Kubernetes or ECS exec ends its shell's process group otherwise). The command is
 * passed as $0, never spliced into the script.
 */
export function startCommand(app: WebAppSettings): { command: string[]; env: Record<string, string> } {
  return {
    command: ["sh", "-c", 'nohup sh -c "$0" </dev/null >hub-bench-app.log 2>&1 &', app.start],
    env: { PORT: String(app.port) },
  };
}
