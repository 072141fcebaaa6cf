import { request, type IncomingMessage } from "node:http";
import { createServer, type AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeOrchestrator } from "./fake-orchestrator.js";
import { cookieOf, exchange, listeningHub } from "./port-url-helpers.js";
import { PortTestApp } from "./port-test-app.js";
import { auth } from "./test-app.js";

let testApp: PortTestApp;
let appPort: number;
let fake: FakeOrchestrator;
let hub: { app: FastifyInstance; base: string };

/** A container whose port 8000 leads to `port` on loopback, and a browser's cookie for it. */
async function reachable(
  port: number,
): Promise<{ id: string; cookie: string; url: (path: string) => string }> {
  const created = await hub.app.inject({
    method: "POST",
    url: "/v1/containers",
    headers: auth,
    payload: { ports: [8000] },
  });
  const id = created.json<{ id: string }>().id;
  fake.portTargets.set(`${id}:8000`, { kind: "tcp", host: "127.0.0.1", port });
  const minted = await exchange(`${hub.base}/v1/containers/${id}/ports/8000/url`, {
    method: "POST",
    headers: auth,
  });
  const first = await exchange((JSON.parse(minted.body) as { url: string }).url);
  return { id, cookie: cookieOf(first), url: (path) => `${hub.base}/preview/${id}-8000${path}` };
}

/** A port on loopback where nothing listens (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Opens a response that the app holds open; resolves once its headers arrived. */
function openStream(url: string, cookie: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { cookie } }, resolve);
    req.on("error", reject);
    req.end();
  });
}

beforeAll(async () => {
  testApp = new PortTestApp();
  appPort = await testApp.listen();
  fake = new FakeOrchestrator();
  hub = await listeningHub(fake, {
    HUB_PROXY_RESPONSE_TIMEOUT_MS: "300",
    HUB_PROXY_MAX_CONNECTIONS_PER_CONTAINER: "2",
  });
});
afterAll(async () => {
  await hub.app.close();
  await testApp.close();
});

describe("a port URL that cannot reach its app", () => {
  it("answers 502 with a page naming the port and container when nothing listens", async () => {
    const { id, cookie, url } = await reachable(await closedPort());
    const answer = await exchange(url("/"), { headers: { cookie, accept: "text/html,*/*" } });
    expect(answer.status).toBe(502);
    expect(answer.body).toContain(`nothing is listening on port 8000 in ${id} yet`);
  });

  it("answers 504 once the app has not answered within HUB_PROXY_RESPONSE_TIMEOUT_MS", async () => {
    const { id, cookie, url } = await reachable(appPort);
    const answer = await exchange(url("/hang"), { headers: { cookie } });
    expect(answer.status).toBe(504);
    expect(JSON.parse(answer.body)).toEqual({
      error: { code: "app_timeout", message: `the app on port 8000 in ${id} did not answer within 0.3 s` },
    });
  });

  it("keeps a slow stream open past that timeout once its headers came", async () => {
    const { cookie, url } = await reachable(appPort);
    const stream = await openStream(url("/events"), cookie);
    const chunks: string[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk.toString()));
    await new Promise((resolve) => setTimeout(resolve, 600)); // twice the response timeout: it must not cut the stream
    expect(stream.destroyed).toBe(false);
    expect(chunks.join("")).toBe("data: first\n\n");
    stream.destroy();
  });

  it("caps the connections of one container and says so with 429", async () => {
    const { id, cookie, url } = await reachable(appPort);
    const open = [await openStream(url("/events"), cookie), await openStream(url("/events"), cookie)];
    const third = await exchange(url("/echo"), { headers: { cookie } });
    expect(third.status).toBe(429);
    expect(third.headers["retry-after"]).toBe("1");
    expect(JSON.parse(third.body).error.message).toBe(
      `container ${id} already has 2 open connections through the Hub`,
    );
    // Another container is not affected by the first one's connections.
    const neighbour = await reachable(appPort);
    expect((await exchange(neighbour.url("/echo"), { headers: { cookie: neighbour.cookie } })).status).toBe(
      200,
    );
    for (const stream of open) stream.destroy();
  });

  it("stops at once when the container is deleted: open streams are cut, new requests get 404", async () => {
    const { id, cookie, url } = await reachable(appPort);
    const stream = await openStream(url("/events"), cookie);
    const closed = new Promise((resolve) => stream.once("close", resolve));
    const deleted = await hub.app.inject({ method: "DELETE", url: `/v1/containers/${id}`, headers: auth });
    expect(deleted.statusCode).toBe(204);
    await closed;
    const after = await exchange(url("/echo"), { headers: { cookie } });
    expect(after.status).toBe(404);
    expect(JSON.parse(after.body).error.message).toBe(
      `there is no container ${id} any more (deleted or expired)`,
    );
  });

  it("refuses a container past its expiry even before the reaper deletes it", async () => {
    const { id, cookie, url } = await reachable(appPort);
    const info = fake.containers.get(id)!;
    fake.containers.set(id, { ...info, expiresAt: new Date(Date.now() - 1000).toISOString() });
    expect((await exchange(url("/echo"), { headers: { cookie } })).status).toBe(404);
  });

  it("answers 409 while the container is not running", async () => {
    const { id, cookie, url } = await reachable(appPort);
    const info = fake.containers.get(id)!;
    fake.containers.set(id, { ...info, status: "failed" });
    const answer = await exchange(url("/echo"), { headers: { cookie } });
    expect(answer.status).toBe(409);
    expect(JSON.parse(answer.body).error.message).toBe(`container ${id} is failed, not running`);
  });
});
