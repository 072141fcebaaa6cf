import type { FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import {
  idleUpgrade,
  listenOnLoopback,
  openIdle,
  rawExchange,
  slowUpload,
  waitFor,
  type RawAnswer,
} from "./raw-http.js";
import { fakeHub, TOKEN } from "./test-app.js";
import { clientKey } from "../../src/client-connections.js";

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function hubPort(
  env: Record<string, string> = {},
  addRoutes: (instance: FastifyInstance) => void = () => undefined,
): Promise<number> {
  ({ app } = await fakeHub(env));
  addRoutes(app);
  return listenOnLoopback(app);
}

async function serverConnections(): Promise<number> {
  return new Promise((resolve, reject) =>
    app!.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
  );
}

function expectHubError(answer: RawAnswer, status: number, code: string, message?: RegExp): void {
  expect(answer.status).toBe(status);
  const body = JSON.parse(answer.body) as { error: { code: string; message: string } };
  expect(Object.keys(body)).toEqual(["error"]);
  expect(body.error.code).toBe(code);
  if (message) expect(body.error.message).toMatch(message);
}

const head = (lines: string[]): string => `${lines.join("\r\n")}\r\n\r\n`;

describe("requests Node's HTTP parser refuses", () => {
  it.each([
    [
      "bad chunking",
      head(["POST /v1/containers HTTP/1.1", "Host: h", "Transfer-Encoding: chunked"]) + "zz\r\n",
    ],
    [
      "Content-Length with Transfer-Encoding",
      head(["POST /v1/containers HTTP/1.1", "Host: h", "Content-Length: 3", "Transfer-Encoding: chunked"]) +
        "0\r\n\r\n",
    ],
    ["a bad Content-Length", head(["POST /v1/containers HTTP/1.1", "Host: h", "Content-Length: abc"])],
    ["NUL in a header", head(["GET /healthz HTTP/1.1", "Host: h", "X-Note: a\0b"])],
    ["a path that is not UTF-8", Buffer.from(head(["GET /v1/\xff\xfe HTTP/1.1", "Host: h"]), "latin1")],
  ])("answers %s with the Hub's 400 shape", async (_name, request) => {
    const port = await hubPort();
    // Read everything: a 401 may come first for the parts that parsed, then the parser's own 400.
    const answer = await rawExchange(port, request);
    const last = answer.headers.startsWith("HTTP/1.1 401") ? lastResponse(answer) : answer;
    expectHubError(last, 400, "invalid_request", /malformed HTTP request/);
    expect(answer.body).not.toContain('"statusCode"');
  });

  it.each([
    ["a URL over 16 KB", head([`GET /${"a".repeat(17_000)} HTTP/1.1`, "Host: h"])],
    ["20 KB of headers", head(["GET /healthz HTTP/1.1", "Host: h", `X-Big: ${"b".repeat(20_000)}`])],
  ])("answers %s with 431 in the Hub's shape", async (_name, request) => {
    const port = await hubPort();
    expectHubError(await rawExchange(port, request), 431, "headers_too_large", /16384 bytes/);
  });

  it("answers a percent-encoding that is not UTF-8 with the Hub's 400", async () => {
    const port = await hubPort();
    const answer = await rawExchange(port, head(["GET /v1/containers/%FF HTTP/1.1", "Host: h"]));
    expectHubError(answer, 400, "invalid_request");
  });
});

describe("a body over the limit", () => {
  it("is read and discarded before the 413, so a client that sends everything before reading sees it", async () => {
    const port = await hubPort();
    const body = "x".repeat(5_000_000);
    const request =
      head([
        "POST /v1/containers HTTP/1.1",
        "Host: h",
        `Authorization: Bearer ${TOKEN}`,
        "Content-Type: application/json",
        `Content-Length: ${body.length}`,
      ]) + body;
    const answer = await rawExchange(port, request, { readFirst: false, keepOpen: true });
    expect(answer.error).toBeUndefined();
    expectHubError(answer, 413, "payload_too_large", /4096 bytes/);
    expect(answer.headers.toLowerCase()).toContain("connection: close");
  });
});

/** The last of several responses on one connection. */
function lastResponse(answer: RawAnswer): RawAnswer {
  const text = `${answer.headers}\r\n\r\n${answer.body}`;
  const start = text.lastIndexOf("HTTP/1.1 ");
  const rest = text.slice(start);
  const split = rest.indexOf("\r\n\r\n");
  return {
    ...answer,
    status: Number(rest.slice(9, 12)),
    headers: rest.slice(0, split),
    body: rest.slice(split + 4),
  };
}

describe("slow clients", () => {
  const fast = {
    HUB_HEADERS_TIMEOUT_MS: "300",
    HUB_REQUEST_TIMEOUT_MS: "600",
    HUB_KEEP_ALIVE_TIMEOUT_MS: "300",
  };

  it("are answered 408 and disconnected when their headers do not arrive within HUB_HEADERS_TIMEOUT_MS", async () => {
    const port = await hubPort(fast);
    const answer = await rawExchange(port, "GET /healthz HTTP/1.1\r\nHost: h\r\nX-Slow: ", {
      keepOpen: true,
      deadlineMs: 8000,
    });
    expectHubError(answer, 408, "request_timeout");
  });

  it("are answered 408 when an API body does not arrive within HUB_REQUEST_TIMEOUT_MS", async () => {
    const port = await hubPort(fast);
    const request =
      head([
        "POST /v1/containers HTTP/1.1",
        "Host: h",
        `Authorization: Bearer ${TOKEN}`,
        "Content-Type: application/json",
        "Content-Length: 100",
      ]) + '{"cpu":';
    const answer = await rawExchange(port, request, { keepOpen: true, deadlineMs: 8000 });
    expectHubError(answer, 408, "request_timeout", /HUB_REQUEST_TIMEOUT_MS/);
  });

  it("do not cut a slow body on a route outside the API, nor an upgraded connection left idle", async () => {
    const port = await hubPort(fast, (instance) => {
      // Stand-ins for the routes that proxy to a sandbox: a streamed upload and a WebSocket-style upgrade.
      instance.addContentTypeParser("application/octet-stream", (_request, _payload, done) => done(null));
      instance.post("/proxy-like", (request, reply) => {
        let bytes = 0;
        request.raw.on("data", (chunk: Buffer) => (bytes += chunk.length));
        request.raw.on("end", () => void reply.send({ bytes }));
      });
      instance.server.on("upgrade", (_request, socket) => {
        socket.write("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n");
        socket.on("data", (chunk: Buffer) => socket.write(chunk));
        socket.on("end", () => socket.end());
      });
    });
    const upload = slowUpload(port, 5, 400); // 2 s in all, far past every deadline above
    const upgraded = idleUpgrade(port, 2000);
    expect(await upload).toContain('{"bytes":5}');
    expect(await upgraded).toBe("still open after 2000 ms: ping");
  });

  it("are answered 429 beyond HUB_MAX_CONNECTIONS_PER_CLIENT from one client, while another is served", async () => {
    const port = await hubPort({ HUB_MAX_CONNECTIONS_PER_CLIENT: "4", HUB_HEADERS_TIMEOUT_MS: "5000" });
    const held = await Promise.all(Array.from({ length: 4 }, () => openIdle(port)));
    const healthz = head(["GET /healthz HTTP/1.1", "Host: h"]);
    const refused = await rawExchange(port, healthz);
    expectHubError(
      refused,
      429,
      "throttled",
      /^this client holds 4 connections to the Hub, the most HUB_MAX_CONNECTIONS_PER_CLIENT allows/,
    );
    expect(refused.headers).toMatch(/^Retry-After: 1$/m);
    // Another address is another client; the refused connection never reached a route.
    expect((await rawExchange(port, healthz, { localAddress: "127.0.0.2" })).status).toBe(200);
    const metrics = await app!.inject({ url: "/metrics", headers: { authorization: `Bearer ${TOKEN}` } });
    expect(metrics.body).toMatch(/^hub_errors_total\{code="throttled"\} 1$/m);
    held.pop()!.destroy();
    await waitFor(async () => (await serverConnections()) <= 3, 5000);
    expect((await rawExchange(port, healthz)).status).toBe(200);
    for (const socket of held) socket.destroy();
  });

  it("count an IPv6 client by its /64 and an IPv4-mapped one as IPv4", () => {
    expect(clientKey("2001:db8:1:2:3:4:5:6")).toBe("2001:db8:1:2::/64");
    expect(clientKey("2001:DB8:1:2::9")).toBe("2001:db8:1:2::/64");
    expect(clientKey("2001:db8:1:3::9")).toBe("2001:db8:1:3::/64");
    expect(clientKey("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    expect(clientKey("::ffff:10.0.0.7")).toBe("10.0.0.7");
    expect(clientKey("10.0.0.7")).toBe("10.0.0.7");
  });

  it("are refused beyond HUB_MAX_CONNECTIONS while the Hub keeps answering the others", async () => {
    const port = await hubPort({ HUB_MAX_CONNECTIONS: "16", HUB_HEADERS_TIMEOUT_MS: "5000" });
    const held = await Promise.all(Array.from({ length: 16 }, () => openIdle(port)));
    const refused = await rawExchange(port, head(["GET /healthz HTTP/1.1", "Host: h"]), { deadlineMs: 5000 });
    expect(refused.status).toBeUndefined();
    for (const socket of held) socket.destroy();
    await waitFor(async () => (await serverConnections()) === 0, 5000);
    expect((await rawExchange(port, head(["GET /healthz HTTP/1.1", "Host: h"]))).status).toBe(200);
  });
});
