import net from "node:net";
import type { FastifyInstance } from "fastify";

export interface RawAnswer {
  readonly status: number | undefined;
  readonly headers: string;
  readonly body: string;
  /** The socket error the client saw (ECONNRESET, EPIPE), if any. */
  readonly error: string | undefined;
  /** ms from connecting to the server closing the connection. */
  readonly closedAfterMs: number;
}

export async function listenOnLoopback(app: FastifyInstance): Promise<number> {
  await app.listen({ host: "127.0.0.1", port: 0 });
  return (app.server.address() as net.AddressInfo).port;
}

/**
 * Sends bytes as they are (no HTTP client to tidy them) and collects what comes back until the
 * server closes, or `deadlineMs` (then the client closes and the answer says so).
 * `readFirst: false` behaves like a client that sends its whole request before reading (Python's http.client).
 */
export function rawExchange(
  port: number,
  request: string | Buffer,
  options: { deadlineMs?: number; readFirst?: boolean; keepOpen?: boolean; localAddress?: string } = {},
): Promise<RawAnswer> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1", ...from(options.localAddress) });
    const chunks: Buffer[] = [];
    let error: string | undefined;
    if (options.readFirst === false) socket.pause();
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", (cause: NodeJS.ErrnoException) => (error = cause.code ?? cause.message));
    const deadline = setTimeout(() => {
      error ??= "client deadline";
      socket.destroy();
    }, options.deadlineMs ?? 10_000);
    socket.on("close", () => {
      clearTimeout(deadline);
      const text = Buffer.concat(chunks).toString("latin1");
      const split = text.indexOf("\r\n\r\n");
      const head = split < 0 ? text : text.slice(0, split);
      const status = /^HTTP\/1\.1 (\d{3})/.exec(head)?.[1];
      resolve({
        status: status === undefined ? undefined : Number(status),
        headers: head,
        body: split < 0 ? "" : text.slice(split + 4),
        error,
        closedAfterMs: performance.now() - started,
      });
    });
    socket.write(request, () => {
      if (options.readFirst === false) socket.resume();
    });
    if (!options.keepOpen) socket.end();
  });
}

/** A loopback client address other than 127.0.0.1 (all of 127.0.0.0/8 is the host's): another client to the Hub. */
function from(localAddress: string | undefined): { localAddress?: string } {
  return localAddress === undefined ? {} : { localAddress };
}

function connect(port: number, localAddress?: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: "127.0.0.1", ...from(localAddress) }, () => resolve(socket));
    socket.once("error", reject);
  });
}

/** A connection that sends nothing. */
export const openIdle = connect;

/** POSTs `bytes` bytes to /proxy-like one per `intervalMs`; resolves with the whole response. */
export async function slowUpload(port: number, bytes: number, intervalMs: number): Promise<string> {
  const socket = await connect(port);
  let answer = "";
  socket.on("data", (chunk: Buffer) => (answer += chunk.toString("latin1")));
  socket.write(
    `POST /proxy-like HTTP/1.1\r\nHost: h\r\nContent-Type: application/octet-stream\r\nContent-Length: ${bytes}\r\n\r\n`,
  );
  for (let sent = 0; sent < bytes; sent++) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    if (socket.destroyed) return `closed by the server after ${sent} bytes: ${answer}`;
    socket.write("x");
  }
  await waitFor(() => answer.includes("\r\n\r\n{"), 5000);
  socket.destroy();
  return answer;
}

/** Upgrades a connection, leaves it idle `idleMs`, then checks it still echoes. */
export async function idleUpgrade(port: number, idleMs: number): Promise<string> {
  const socket = await connect(port);
  let answer = "";
  let closed = false;
  socket.on("data", (chunk: Buffer) => (answer += chunk.toString("latin1")));
  socket.on("close", () => (closed = true));
  socket.write("GET /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n");
  await waitFor(() => answer.includes("101 Switching Protocols"), 5000);
  await new Promise((resolve) => setTimeout(resolve, idleMs));
  if (closed) return `closed during ${idleMs} ms idle`;
  socket.write("ping");
  await waitFor(() => answer.endsWith("ping") || closed, 5000);
  socket.destroy();
  return closed ? "closed" : `still open after ${idleMs} ms: ping`;
}

/** Polls `condition` every 10 ms until it holds; throws after `timeoutMs`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
