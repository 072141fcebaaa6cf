import { createHash } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";

/** What the test app saw of one request. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

/**
 * A student's app written for the tests, on 127.0.0.1: echoes what it received (`/echo`), streams a
 * large body (`/big?mb=N`), hashes an upload (`/upload`), sends server-sent events (`/events`),
 * never answers (`/hang`), and echoes WebSocket messages (`/ws`).
 */
export class PortTestApp {
  readonly seen: SeenRequest[] = [];
  private readonly server: Server;
  private readonly sockets = new WebSocketServer({ noServer: true });

  constructor() {
    this.server = createServer((req, res) => {
      this.seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
      const url = new URL(req.url ?? "/", "http://app");
      if (url.pathname === "/big") {
        const megabytes = Number(url.searchParams.get("mb") ?? "1");
        res.writeHead(200, { "content-type": "application/octet-stream" });
        const chunk = Buffer.alloc(1024 * 1024, 7);
        let sent = 0;
        const more = (): void => {
          while (sent < megabytes) {
            sent += 1;
            if (!res.write(chunk)) return void res.once("drain", more);
          }
          res.end();
        };
        more();
        return;
      }
      if (url.pathname === "/upload") {
        const hash = createHash("sha256");
        let bytes = 0;
        req.on("data", (chunk: Buffer) => {
          hash.update(chunk);
          bytes += chunk.length;
        });
        req.on("end", () => res.end(JSON.stringify({ bytes, sha256: hash.digest("hex") })));
        return;
      }
      if (url.pathname === "/events") {
        res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
        res.write("data: first\n\n");
        return; // held open: the test reads the first event while the response is still going
      }
      if (url.pathname === "/hang") return;
      if (url.pathname === "/status") {
        res.writeHead(Number(url.searchParams.get("code") ?? "200"), { "x-app": "yes" }).end("status");
        return;
      }
      res.writeHead(200, { "content-type": "application/json", "set-cookie": "app_session=abc; Path=/" });
      res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers }));
    });
    this.server.on("upgrade", (req, socket, head) => {
      this.seen.push({ method: "UPGRADE", url: req.url ?? "", headers: req.headers });
      this.sockets.handleUpgrade(req, socket, head, (ws) => {
        ws.on("message", (data, binary) => ws.send(data, { binary }));
      });
    });
  }

  /** Listens on `host` and `port` (0: any free port) and answers the port it got. */
  async listen(host = "127.0.0.1", port = 0): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, resolve);
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const client of this.sockets.clients) client.terminate();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
