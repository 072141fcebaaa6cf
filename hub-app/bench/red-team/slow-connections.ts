import { connect, type Socket } from "node:net";
import { inBatches } from "../floor/load.js";

// Connects in flight at once while opening: the listen backlog (511 in Node) is not the thing measured.
const OPENING = 256;

/**
 * Opens `count` connections that send a request line and one header but never finish the headers
 * (a slowloris), holds them until the Hub closes them or `holdMs` passes, and says how each ended:
 * the status the Hub answered before closing (408 at its headers deadline), "closed" without an
 * answer (over its connection cap), an error code, or "still open" at the end. `from`: the local
 * address they come from (another loopback address is another client to the Hub).
 */
export async function slowConnections(
  url: URL,
  count: number,
  holdMs: number,
  from?: string,
): Promise<{ outcomes: string[]; lastClosedMs: number }> {
  const started = performance.now();
  let lastClosedMs = 0;
  let held = true;
  const ends: Promise<string>[] = [];
  const sockets: Socket[] = [];
  await inBatches(count, OPENING, async () => {
    const socket = connect({
      host: url.hostname,
      port: Number(url.port),
      ...(from === undefined ? {} : { localAddress: from }),
    });
    sockets.push(socket);
    let answer: string | undefined;
    let error: string | undefined;
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => (answer ??= /^HTTP\/1\.1 (\d{3})/.exec(chunk)?.[1]));
    socket.on("error", (e: NodeJS.ErrnoException) => (error ??= e.code ?? e.message));
    ends.push(
      new Promise((resolve) =>
        socket.once("close", () => {
          if (!held) return resolve(answer === undefined ? "still open at the end" : `${answer} then closed`);
          lastClosedMs = performance.now() - started;
          resolve(error ?? (answer === undefined ? "closed" : `${answer} then closed`));
        }),
      ),
    );
    await new Promise<void>((resolve) => {
      socket.once("connect", () => {
        socket.write(`GET /healthz HTTP/1.1\r\nHost: ${url.host}\r\nX-Slow: `);
        resolve();
      });
      socket.once("close", () => resolve());
    });
  });
  const timer = setTimeout(() => {
    held = false;
    for (const socket of sockets) socket.destroy();
  }, holdMs);
  const outcomes = await Promise.all(ends);
  clearTimeout(timer);
  return { outcomes, lastClosedMs };
}
