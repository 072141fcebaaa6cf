import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeOrchestrator } from "./fake-orchestrator.js";
import { cookieOf, exchange, listeningHub } from "./port-url-helpers.js";
import { PortTestApp } from "./port-test-app.js";
import { auth } from "./test-app.js";

let testApp: PortTestApp;
let hub: { app: FastifyInstance; base: string };
let id: string;
let link: URL;

beforeAll(async () => {
  testApp = new PortTestApp();
  const appPort = await testApp.listen();
  const fake = new FakeOrchestrator();
  hub = await listeningHub(fake, { HUB_PREVIEW_DOMAIN: "sandboxes.test" });
  const created = await hub.app.inject({
    method: "POST",
    url: "/v1/containers",
    headers: auth,
    payload: { ports: [8000] },
  });
  id = created.json<{ id: string }>().id;
  fake.portTargets.set(`${id}:8000`, { kind: "tcp", host: "127.0.0.1", port: appPort });
  const minted = await exchange(`${hub.base}/v1/containers/${id}/ports/8000/url`, {
    method: "POST",
    headers: auth,
  });
  link = new URL((JSON.parse(minted.body) as { url: string }).url);
});
afterAll(async () => {
  await hub.app.close();
  await testApp.close();
});

/** A request to the Hub's socket as a browser resolving `<host>` to it would send it. */
function viaHost(host: string, path: string, headers: Record<string, string> = {}) {
  return exchange(`${hub.base}${path}`, { headers: { host, ...headers } });
}

describe("a host-based port URL", () => {
  it("is <id>-<port>.<domain> on the Hub's scheme and port", () => {
    expect(link.hostname).toBe(`${id}-8000.sandboxes.test`);
    expect(link.port).toBe(new URL(hub.base).port);
    expect(link.pathname).toBe("/");
  });

  it("keeps the app's own paths, even the Hub's API paths, and sets a host-only cookie for /", async () => {
    const first = await viaHost(link.host, `/${link.search}`);
    expect(first.status).toBe(302);
    expect(first.headers.location).toBe("/");
    expect(first.headers["set-cookie"]?.[0]).toMatch(/; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(first.headers["set-cookie"]?.[0]).not.toMatch(/Domain=/i);
    const cookie = cookieOf(first);
    const answer = await viaHost(link.host, "/v1/containers?static=1", { cookie });
    expect(answer.status).toBe(200);
    const seen = JSON.parse(answer.body) as { url: string; headers: Record<string, string> };
    expect(seen.url).toBe("/v1/containers?static=1");
    expect(seen.headers.host).toBe("localhost:8000");
    expect(seen.headers["x-forwarded-host"]).toBe(link.host);
    expect(seen.headers["x-forwarded-prefix"]).toBeUndefined();
  });

  it("accepts its credential among cookies a sibling app set for the parent domain", async () => {
    const cookie = cookieOf(await viaHost(link.host, `/${link.search}`));
    const answer = await viaHost(link.host, "/echo", {
      cookie: `hub_port_token=1.${"B".repeat(43)}; ${cookie}; hub_port_token=junk`,
    });
    expect(answer.status).toBe(200);
    expect((JSON.parse(answer.body) as { headers: Record<string, string> }).headers.cookie).toBeUndefined();
  });

  it("leaves the Hub's API where it was: its own host, and preview-domain names that are no container's", async () => {
    expect((await viaHost(new URL(hub.base).host, "/healthz")).status).toBe(200);
    expect((await viaHost("api.sandboxes.test", "/healthz")).status).toBe(200);
    // Path-based URLs are off once a preview domain is set: one origin per app, none shared.
    expect((await viaHost(new URL(hub.base).host, `/preview/${id}-8000/${link.search}`)).status).toBe(404);
  });
});
