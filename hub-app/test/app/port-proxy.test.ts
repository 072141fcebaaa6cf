import { createHash, randomBytes } from "node:crypto";
import { request } from "node:http";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { portUrlKey, signPortCredential } from "../../src/services/port-credential.js";
import { FakeOrchestrator } from "./fake-orchestrator.js";
import { cookieOf, exchange, listeningHub } from "./port-url-helpers.js";
import { PortTestApp } from "./port-test-app.js";
import { auth, TOKEN } from "./test-app.js";

let testApp: PortTestApp;
let fake: FakeOrchestrator;
let hub: { app: FastifyInstance; base: string };
let id: string;
let other: string;
let link: string;

async function createContainer(ports: number[]): Promise<string> {
  const created = await hub.app.inject({
    method: "POST",
    url: "/v1/containers",
    headers: auth,
    payload: { ports },
  });
  return created.json<{ id: string }>().id;
}

async function mint(container: string, port: number): Promise<string> {
  const minted = await exchange(`${hub.base}/v1/containers/${container}/ports/${port}/url`, {
    method: "POST",
    headers: auth,
  });
  expect(minted.status).toBe(201);
  return (JSON.parse(minted.body) as { url: string }).url;
}

/** Follows the link's first visit as a browser does: the redirect that sets the cookie. */
async function visit(url: string): Promise<{ cookie: string; location: string }> {
  const first = await exchange(url, { headers: { accept: "text/html" } });
  expect(first.status).toBe(302);
  expect(first.headers["set-cookie"]?.[0]).toMatch(/; HttpOnly; SameSite=Lax$/);
  return { cookie: cookieOf(first), location: first.headers.location! };
}

beforeAll(async () => {
  testApp = new PortTestApp();
  const appPort = await testApp.listen();
  fake = new FakeOrchestrator();
  hub = await listeningHub(fake);
  id = await createContainer([8000]);
  other = await createContainer([8000]);
  fake.portTargets.set(`${id}:8000`, { kind: "tcp", host: "127.0.0.1", port: appPort });
  fake.portTargets.set(`${other}:8000`, { kind: "tcp", host: "127.0.0.1", port: appPort });
  link = await mint(id, 8000);
});
afterAll(async () => {
  await hub.app.close();
  await testApp.close();
});

describe("a path-based port URL", () => {
  it("sets a cookie on the first visit and sends the browser to the same address without the token", async () => {
    const { cookie, location } = await visit(`${link}&page=2`);
    expect(cookie).toMatch(/^hub_port_token=\d+\.[\w-]{43}$/);
    expect(location).toBe(`/preview/${id}-8000/?page=2`);
  });

  it("gives the app the request without the prefix, the token, the Hub's cookie or its bearer token", async () => {
    const { cookie } = await visit(link);
    const answer = await exchange(`${hub.base}/preview/${id}-8000/echo?x=1`, {
      headers: {
        cookie: `theme=dark; ${cookie}`,
        authorization: auth.authorization,
        "x-forwarded-prefix": "/evil",
      },
    });
    expect(answer.status).toBe(200);
    const seen = JSON.parse(answer.body) as { url: string; headers: Record<string, string> };
    expect(seen.url).toBe("/echo?x=1");
    expect(seen.headers.cookie).toBe("theme=dark");
    expect(seen.headers.authorization).toBeUndefined();
    expect(seen.headers["x-forwarded-prefix"]).toBe(`/preview/${id}-8000`);
    expect(seen.headers["x-forwarded-host"]).toBe(new URL(hub.base).host);
    expect(seen.headers["x-forwarded-proto"]).toBe("http");
    expect(seen.headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(answer.headers["set-cookie"]).toEqual(["app_session=abc; Path=/"]);
    expect(JSON.stringify(testApp.seen)).not.toContain("hub_port_token");
  });

  it("passes the app's own Authorization header and status codes through", async () => {
    const { cookie } = await visit(link);
    const answer = await exchange(`${hub.base}/preview/${id}-8000/status?code=418`, {
      headers: { cookie, authorization: "Basic c3R1ZGVudDpwdw==" },
    });
    expect(answer.status).toBe(418);
    expect(answer.headers["x-app"]).toBe("yes");
    expect(testApp.seen.at(-1)?.headers.authorization).toBe("Basic c3R1ZGVudDpwdw==");
  });

  it("sends the bare prefix to the prefix with a slash, so relative links resolve", async () => {
    const answer = await exchange(`${hub.base}/preview/${id}-8000?a=b`);
    expect(answer.status).toBe(308);
    expect(answer.headers.location).toBe(`/preview/${id}-8000/?a=b`);
  });

  it("streams a 20 MB download and a 20 MB upload through, past the API's body limit", async () => {
    const { cookie } = await visit(link);
    const download = await exchange(`${hub.base}/preview/${id}-8000/big?mb=20`, { headers: { cookie } });
    expect(download.status).toBe(200);
    expect(download.bytes).toBe(20 * 1024 * 1024);
    const upload = randomBytes(20 * 1024 * 1024);
    const answer = await exchange(`${hub.base}/preview/${id}-8000/upload`, {
      method: "PUT",
      headers: { cookie, "content-type": "application/octet-stream" },
      body: upload,
    });
    expect(JSON.parse(answer.body)).toEqual({
      bytes: upload.length,
      sha256: createHash("sha256").update(upload).digest("hex"),
    });
  });

  it("delivers server-sent events while the response is still open", async () => {
    const { cookie } = await visit(link);
    const first = await new Promise<string>((resolve, reject) => {
      const req = request(`${hub.base}/preview/${id}-8000/events`, { headers: { cookie } }, (res) => {
        expect(res.headers["content-type"]).toBe("text/event-stream");
        res.once("data", (chunk: Buffer) => {
          resolve(chunk.toString());
          req.destroy();
        });
      });
      req.on("error", reject);
      req.end();
    });
    expect(first).toBe("data: first\n\n");
  });

  it("carries a WebSocket both ways, authorised by the cookie", async () => {
    const { cookie } = await visit(link);
    const socket = new WebSocket(`${hub.base.replace("http", "ws")}/preview/${id}-8000/ws`, {
      headers: { cookie },
    });
    await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
    const echoed = new Promise<string>((resolve) =>
      socket.once("message", (data: Buffer) => resolve(data.toString())),
    );
    socket.send("hot reload");
    expect(await echoed).toBe("hot reload");
    socket.close();
    expect(testApp.seen.at(-1)?.headers.cookie).toBeUndefined();
  });
});

describe("a port URL's credential", () => {
  const key = portUrlKey(TOKEN);
  const inAnHour = Math.floor(Date.now() / 1000) + 3600;

  const credentials: [string, () => string, number][] = [
    ["no credential", () => "", 401],
    ["a tampered one", () => `${inAnHour}.${"A".repeat(43)}`, 403],
    ["an expired one", () => signPortCredential(key, { id, port: 8000, expiresAt: inAnHour - 3601 }), 403],
    ["one for another port", () => signPortCredential(key, { id, port: 8001, expiresAt: inAnHour }), 403],
    [
      "one for another container",
      () => signPortCredential(key, { id: other, port: 8000, expiresAt: inAnHour }),
      403,
    ],
    [
      "one from another Hub",
      () =>
        signPortCredential(portUrlKey("another-hub-token-0123456789"), {
          id,
          port: 8000,
          expiresAt: inAnHour,
        }),
      403,
    ],
  ];

  it.each(credentials)("refuses %s without reaching the app", async (_name, credential, status) => {
    const seenBefore = testApp.seen.length;
    const query = credential() === "" ? "" : `?hub_port_token=${credential()}`;
    const answer = await exchange(`${hub.base}/preview/${id}-8000/${query}`, {
      headers: { accept: "text/html" },
    });
    expect(answer.status).toBe(status);
    expect(answer.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(answer.body).toMatch(/ask for a new link/);
    expect(testApp.seen.length).toBe(seenBefore);
  });

  it("never opens a second container: the first's cookie is refused on the second's address", async () => {
    const { cookie } = await visit(link);
    const seenBefore = testApp.seen.length;
    const answer = await exchange(`${hub.base}/preview/${other}-8000/echo`, { headers: { cookie } });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toEqual({
      error: {
        code: "forbidden",
        message: `this link's token is not valid for ${other} port 8000; ask for a new link`,
      },
    });
    expect(testApp.seen.length).toBe(seenBefore);
  });

  it("survives a Hub restart: a new Hub with the same API token honours it", async () => {
    const { cookie } = await visit(link);
    const restarted = await listeningHub(fake);
    try {
      const answer = await exchange(`${restarted.base}/preview/${id}-8000/echo`, { headers: { cookie } });
      expect(answer.status).toBe(200);
    } finally {
      await restarted.app.close();
    }
  });
});
