/**
 * A student's app in a real browser: headless Chromium (Debian's `chromium`) opens a minted port URL
 * of a local sandbox, follows the app's own link and talks to its WebSocket, with nothing but the URL.
 * Both URL shapes: path-based (the app uses relative links) and host-based on `localhost`, which
 * Chromium resolves for every subdomain (RFC 6761 6.3), where the app's absolute links work unchanged.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../chromium.js";
import type { LocalOrchestrator } from "../../src/orchestrator/local/index.js";
import { cookieOf, exchange, listeningHub } from "../app/port-url-helpers.js";
import { auth } from "../app/test-app.js";
import { untilResolves } from "../wait.js";
import { deleteAllAndRemove, localOrchestrator, temporaryRoot } from "./sandbox-helpers.js";

/** The app's page: a link and a WebSocket whose echo becomes the title, addressed the way `style` says. */
function indexPage(style: "relative" | "absolute"): string {
  const link = style === "relative" ? "page2.html" : "/page2.html";
  const socket =
    style === "relative"
      ? 'new URL("ws", location.href.replace(/^http/, "ws"))'
      : '"ws://" + location.host + "/ws"';
  return `<!doctype html><title>waiting</title><a id="next" href="${link}">next</a>
<script>
const ws = new WebSocket(${socket});
ws.onopen = () => ws.send("hello from the browser");
ws.onmessage = (event) => { document.title = "echo: " + event.data; };
ws.onerror = () => { document.title = "websocket failed"; };
</script>`;
}

let root: string;
let orchestrator: LocalOrchestrator;
let browser: Browser;
const hubs: FastifyInstance[] = [];

beforeAll(async () => {
  root = await temporaryRoot();
  orchestrator = localOrchestrator(root);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  for (const app of hubs) await app.close();
  await deleteAllAndRemove(localOrchestrator(root), root);
});

/** A Hub (`env` picks the URL shape), a sandbox running the test app with `page` as its index, and the minted URL. */
async function appUrl(env: Record<string, string>, page: string): Promise<string> {
  const hub = await listeningHub(orchestrator, env);
  hubs.push(hub.app);
  const created = await hub.app.inject({
    method: "POST",
    url: "/v1/containers",
    headers: auth,
    payload: { ports: [8000] },
  });
  const id = created.json<{ id: string }>().id;
  const app = await readFile(join(import.meta.dirname, "fixtures", "web_app.py"), "utf8");
  await hub.app.inject({
    method: "PUT",
    url: `/v1/containers/${id}/files`,
    headers: auth,
    payload: {
      files: [
        { path: "web_app.py", content: app },
        { path: "index.html", content: page },
        { path: "page2.html", content: "<!doctype html><title>second</title><p>second page</p>" },
      ],
    },
  });
  await hub.app.inject({
    method: "POST",
    url: `/v1/containers/${id}/run`,
    headers: auth,
    payload: { command: ["sh", "-c", "nohup python3 web_app.py 8000 >app.log 2>&1 &"] },
  });
  const minted = await exchange(`${hub.base}/v1/containers/${id}/ports/8000/url`, {
    method: "POST",
    headers: auth,
  });
  return (JSON.parse(minted.body) as { url: string }).url;
}

/**
 * Waits (outside the browser) until the app inside the sandbox answers through the URL. Node's
 * resolver knows no *.localhost: it dials the Hub on 127.0.0.1 and names the host in the header.
 */
async function untilAppListens(url: string): Promise<void> {
  const link = new URL(url);
  const viaLoopback = (path: string) => `http://127.0.0.1:${link.port}${path}`;
  const headers = { host: link.host };
  const cookie = cookieOf(await exchange(viaLoopback(`${link.pathname}${link.search}`), { headers }));
  await untilResolves(async () => {
    const answer = await exchange(viaLoopback(link.pathname), { headers: { ...headers, cookie } });
    if (answer.status !== 200) throw new Error(`${answer.status}: ${answer.body}`);
  }, 15_000);
}

async function expectAppWorks(url: string, origin: string): Promise<void> {
  await untilAppListens(url);
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    expect((await page.goto(url))?.status()).toBe(200);
    // The link's token moved into the cookie: the address bar, and the app, no longer show it.
    expect(page.url()).not.toContain("hub_port_token");
    expect(page.url().startsWith(origin)).toBe(true);
    await page.waitForFunction(
      () => document.title.startsWith("echo: ") || document.title.includes("failed"),
    );
    expect(await page.title()).toBe("echo: hello from the browser");
    const cookies = await context.cookies();
    expect(cookies).toEqual([
      expect.objectContaining({ name: "hub_port_token", httpOnly: true, sameSite: "Lax" }),
    ]);
    await page.click("#next");
    await page.waitForURL(/page2\.html$/);
    expect(await page.textContent("p")).toBe("second page");
    if (new URL(url).pathname !== "/") {
      // Path-based: an absolute path leaves the prefix and reaches the Hub's API, not the app (docs/hub.md).
      expect(await page.evaluate(() => fetch("/page2.html").then((answer) => answer.status))).toBe(404);
    }
  } finally {
    await context.close();
  }
}

describe("a port URL in headless Chromium", () => {
  it("path-based: follows the app's relative link and carries its WebSocket under the prefix", async () => {
    const url = await appUrl({}, indexPage("relative"));
    await expectAppWorks(url, url.slice(0, url.indexOf("?")));
  });

  it("host-based on *.localhost: the app's absolute link and WebSocket work unchanged", async () => {
    const url = await appUrl({ HUB_PREVIEW_DOMAIN: "localhost" }, indexPage("absolute"));
    expect(new URL(url).hostname).toMatch(/^cnt-[a-z0-9]+-8000\.localhost$/);
    await expectAppWorks(url, new URL(url).origin);
  });
});
