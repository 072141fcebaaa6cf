/**
 * Port URLs end to end on real local sandboxes: a Hub listening on loopback, an app written for
 * the test (HTTP and a WebSocket echo) running inside the sandbox's own network namespace.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { LocalOrchestrator } from "../../src/orchestrator/local/index.js";
import { cookieOf, exchange, listeningHub } from "../app/port-url-helpers.js";
import { auth } from "../app/test-app.js";
import { untilResolves } from "../wait.js";
import { deleteAllAndRemove, localOrchestrator, temporaryRoot } from "./sandbox-helpers.js";

let root: string;
let hub: { app: FastifyInstance; base: string };
let orchestrator: LocalOrchestrator;

/** A container with the test app listening on `appPort` (declared: `ports`), and its minted URL. */
async function sandboxWithApp(
  ports: number[],
  appPort: number | undefined,
): Promise<{ id: string; url: string }> {
  const created = await exchange(`${hub.base}/v1/containers`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ ports }),
  });
  const id = (JSON.parse(created.body) as { id: string }).id;
  const app = await readFile(join(import.meta.dirname, "fixtures", "web_app.py"), "utf8");
  await hub.app.inject({
    method: "PUT",
    url: `/v1/containers/${id}/files`,
    headers: auth,
    payload: {
      files: [
        { path: "web_app.py", content: app },
        { path: "index.html", content: '<a href="/page2.html">next</a>' },
        { path: "page2.html", content: "<p>second page</p>" },
      ],
    },
  });
  if (appPort !== undefined) {
    const started = await hub.app.inject({
      method: "POST",
      url: `/v1/containers/${id}/run`,
      headers: auth,
      payload: { command: ["sh", "-c", `nohup python3 web_app.py ${appPort} >app.log 2>&1 &`] },
    });
    expect(started.json().exitCode).toBe(0);
  }
  const minted = await exchange(`${hub.base}/v1/containers/${id}/ports/${ports[0]}/url`, {
    method: "POST",
    headers: auth,
  });
  return { id, url: (JSON.parse(minted.body) as { url: string }).url };
}

/** The first visit, retried until the app inside has started listening. */
async function firstPage(url: string, path = "/"): Promise<{ cookie: string; body: string }> {
  const cookie = cookieOf(await exchange(url));
  const base = url.slice(0, url.indexOf("?") - 1);
  const page = await untilResolves(async () => {
    const answer = await exchange(`${base}${path}`, { headers: { cookie } });
    if (answer.status !== 200) throw new Error(`${answer.status}: ${answer.body}`);
    return answer;
  }, 15_000);
  return { cookie, body: page.body };
}

beforeAll(async () => {
  root = await temporaryRoot();
  orchestrator = localOrchestrator(root);
  hub = await listeningHub(orchestrator);
});
afterAll(async () => {
  await hub.app.close();
  await deleteAllAndRemove(localOrchestrator(root), root);
});

describe("a port URL to a local sandbox", () => {
  it("serves the app's pages and carries its WebSocket, with nothing opened on the host", async () => {
    const { url } = await sandboxWithApp([8000], 8000);
    const { cookie, body } = await firstPage(url);
    expect(body).toBe('<a href="/page2.html">next</a>');
    const base = url.slice(0, url.indexOf("?") - 1);
    expect((await exchange(`${base}/page2.html`, { headers: { cookie } })).body).toBe("<p>second page</p>");

    const socket = new WebSocket(`${base.replace("http", "ws")}/ws`, { headers: { cookie } });
    await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
    const echoed = new Promise<string>((resolve) =>
      socket.once("message", (data: Buffer) => resolve(data.toString())),
    );
    socket.send("hello through the relay");
    expect(await echoed).toBe("hello through the relay");
    socket.close();
  });

  it("answers 502 at once while nothing listens on the declared port yet", async () => {
    const { id, url } = await sandboxWithApp([8000], undefined);
    const cookie = cookieOf(await exchange(url));
    const base = url.slice(0, url.indexOf("?") - 1);
    const answer = await exchange(`${base}/`, { headers: { cookie } });
    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.body).error.message).toBe(
      `nothing is listening on port 8000 in ${id} yet (the app must listen on 0.0.0.0:8000)`,
    );
  });

  it("never reaches a second sandbox's app through the first's URL, even on the same port", async () => {
    const first = await sandboxWithApp([8000], 8000);
    const second = await sandboxWithApp([8000], 8000);
    const { cookie } = await firstPage(first.url);
    const secondBase = second.url.slice(0, second.url.indexOf("?") - 1);
    expect((await exchange(`${secondBase}/`, { headers: { cookie } })).status).toBe(403);
  });

  it("keeps working after a Hub restart, and stops at once when the container is deleted", async () => {
    const { id, url } = await sandboxWithApp([8000], 8000);
    const { cookie } = await firstPage(url);
    const restarted = await listeningHub(localOrchestrator(root));
    try {
      const path = new URL(url).pathname;
      const again = await exchange(`${restarted.base}${path}page2.html`, { headers: { cookie } });
      expect(again.body).toBe("<p>second page</p>");
      const deleted = await restarted.app.inject({
        method: "DELETE",
        url: `/v1/containers/${id}`,
        headers: auth,
      });
      expect(deleted.statusCode).toBe(204);
      expect((await exchange(`${restarted.base}${path}`, { headers: { cookie } })).status).toBe(404);
    } finally {
      await restarted.app.close();
    }
  });
});
