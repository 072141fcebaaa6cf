/**
 * Port URLs through the whole Hub on the Kubernetes and ECS orchestrators: the proxy dials the
 * address the orchestrator reports for the container (the Pod's `status.podIP`, the task ENI's
 * `privateIPv4Address`), never another. Each fake gives its sandboxes loopback addresses of their
 * own, where a test app listens on the same port, so a request that reached the wrong container's
 * address would be answered by the wrong app.
 */
import type { FastifyInstance } from "fastify";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import WebSocket from "ws";
import type { Orchestrator } from "../../src/orchestrator/types.js";
import { createEcsOrchestrator } from "../../src/orchestrator/ecs/index.js";
import { taskOwnership } from "../../src/orchestrator/ecs/pool-owner.js";
import { FakeEcs } from "../ecs/fake-ecs.js";
import { CLUSTER, ECS_HUB_ENV, ecsSettings } from "../ecs/fixtures.js";
import { startFakeKubeApi, type FakeKubeApi } from "../kubernetes/fake-api-server.js";
import { NAMESPACE, orchestratorOn } from "../kubernetes/fixtures.js";
import { cookieOf, exchange, listeningHub } from "./port-url-helpers.js";
import { PortTestApp } from "./port-test-app.js";
import { auth } from "./test-app.js";

/** Addresses the fakes hand out, one per sandbox in creation order. */
const ADDRESSES = ["127.0.0.2", "127.0.0.3"] as const;

interface Backend {
  readonly name: string;
  readonly env: Record<string, string>;
  /** A fresh orchestrator on the same (fake) cluster: a Hub replica or a restarted Hub. */
  orchestrator(): Orchestrator;
  /** Hands out ADDRESSES in order to the sandboxes started from now on. */
  assignAddresses(addresses: string[]): void;
  close(): Promise<void>;
}

async function kubernetesBackend(): Promise<Backend> {
  const fake: FakeKubeApi = await startFakeKubeApi();
  return {
    name: "kubernetes",
    env: { HUB_ORCHESTRATOR: "kubernetes", HUB_K8S_NAMESPACE: NAMESPACE, HUB_K8S_PLACEMENTS: "ec2" },
    orchestrator: () => orchestratorOn(fake, { settings: { HUB_K8S_NAMESPACE: NAMESPACE } }),
    assignAddresses(addresses) {
      const byPod = new Map<string, string>();
      fake.podIP = (pod) => {
        const known = byPod.get(pod.metadata.name);
        if (known !== undefined) return known;
        const next = addresses.shift();
        if (next === undefined) throw new Error("the test started more sandboxes than it gave addresses");
        byPod.set(pod.metadata.name, next);
        return next;
      };
    },
    close: () => fake.close(),
  };
}

function ecsBackend(): Backend {
  const ecs = new FakeEcs(CLUSTER);
  const hubTask = `arn:aws:ecs:eu-west-1:123456789012:task/${CLUSTER}/hub`;
  ecs.addTask({ taskArn: hubTask, desiredStatus: "RUNNING", lastStatus: "RUNNING" });
  const settings = ecsSettings();
  return {
    name: "ecs",
    env: { HUB_ORCHESTRATOR: "ecs", ...ECS_HUB_ENV },
    orchestrator: () =>
      createEcsOrchestrator(
        settings,
        { instance: "hub", logger: pino({ level: "silent" }) },
        {
          ecs: ecs.client,
          sleep: () => Promise.resolve(),
          now: Date.now,
          readyPolling: { initialDelayMs: 1, maxDelayMs: 1 },
          ownership: taskOwnership(ecs.client, () => Promise.resolve(hubTask)),
        },
      ),
    assignAddresses(addresses) {
      ecs.privateIp = () => {
        const next = addresses.shift();
        if (next === undefined) throw new Error("the test started more sandboxes than it gave addresses");
        return next;
      };
    },
    close: () => Promise.resolve(),
  };
}

describe.each([
  ["kubernetes", kubernetesBackend],
  ["ecs", () => Promise.resolve(ecsBackend())],
])("port URLs on the %s orchestrator", (_name, makeBackend) => {
  let backend: Backend;
  let hub: { app: FastifyInstance; base: string };
  const apps = ADDRESSES.map(() => new PortTestApp());
  let port: number;
  let first: string;
  let second: string;

  async function create(): Promise<string> {
    const created = await exchange(`${hub.base}/v1/containers`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ ports: [port] }),
    });
    expect(created.status, created.body).toBe(201);
    return (JSON.parse(created.body) as { id: string }).id;
  }

  async function mint(id: string, onPort = port): Promise<{ status: number; body: string; url: string }> {
    const minted = await exchange(`${hub.base}/v1/containers/${id}/ports/${onPort}/url`, {
      method: "POST",
      headers: auth,
    });
    const url = minted.status === 201 ? (JSON.parse(minted.body) as { url: string }).url : "";
    return { status: minted.status, body: minted.body, url };
  }

  /** The first visit as a browser makes it: a redirect that sets the cookie. */
  async function cookieFor(url: string): Promise<string> {
    const visit = await exchange(url, { headers: { accept: "text/html" } });
    expect(visit.status).toBe(302);
    return cookieOf(visit);
  }

  beforeAll(async () => {
    // One port on both addresses: only the address tells the two apps apart.
    port = await apps[0]!.listen(ADDRESSES[0]);
    await apps[1]!.listen(ADDRESSES[1], port);
    backend = await makeBackend();
    backend.assignAddresses([...ADDRESSES]);
    hub = await listeningHub(backend.orchestrator(), backend.env);
    first = await create();
    second = await create();
  });
  afterAll(async () => {
    await hub.app.close();
    await backend.close();
    await Promise.all(apps.map((app) => app.close()));
  });

  it("reaches each container's own address and port, with the prefix stripped", async () => {
    for (const [index, id] of [first, second].entries()) {
      const { url } = await mint(id);
      const cookie = await cookieFor(url);
      const answer = await exchange(`${hub.base}/preview/${id}-${port}/echo?n=${index}`, {
        headers: { cookie },
      });
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ url: `/echo?n=${index}` });
      expect(apps[index]!.seen.at(-1)?.url).toBe(`/echo?n=${index}`);
    }
    expect(apps[0]!.seen.some((seen) => seen.url === "/echo?n=1")).toBe(false);
    expect(apps[1]!.seen.some((seen) => seen.url === "/echo?n=0")).toBe(false);
  });

  it("carries a WebSocket to the container's app", async () => {
    const { url } = await mint(first);
    const cookie = await cookieFor(url);
    const socket = new WebSocket(`${hub.base.replace("http", "ws")}/preview/${first}-${port}/ws`, {
      headers: { cookie },
    });
    const echoed = await new Promise<string>((resolve, reject) => {
      socket.once("open", () => socket.send("hot reload"));
      socket.once("message", (data: Buffer) => resolve(data.toString()));
      socket.once("error", reject);
    });
    socket.close();
    expect(echoed).toBe("hot reload");
    expect(apps[0]!.seen.at(-1)).toMatchObject({ method: "UPGRADE", url: "/ws" });
  });

  it("never lets one container's credential open another container", async () => {
    const { url } = await mint(first);
    const cookie = await cookieFor(url);
    const seenBefore = apps[1]!.seen.length;
    const foreign = await exchange(`${hub.base}/preview/${second}-${port}/echo`, { headers: { cookie } });
    expect(foreign.status).toBeGreaterThanOrEqual(400);
    expect(foreign.status).toBeLessThan(500);
    const swapped = await exchange(url.replace(first, second), { headers: { accept: "text/html" } });
    expect(swapped.status).toBeGreaterThanOrEqual(400);
    expect(swapped.status).toBeLessThan(500);
    expect(apps[1]!.seen.length).toBe(seenBefore);
  });

  it("mints nothing for a port the container did not declare, and names the ones it did", async () => {
    const undeclared = await mint(first, port === 65535 ? port - 1 : port + 1);
    expect(undeclared.status).toBe(400);
    expect(undeclared.body).toContain(String(port));
  });

  it("keeps a URL valid across a restarted Hub on the same cluster", async () => {
    const { url } = await mint(first);
    await hub.app.close();
    hub = await listeningHub(backend.orchestrator(), backend.env);
    const visit = await exchange(url.replace(/^http:\/\/[^/]+/, hub.base), {
      headers: { accept: "text/html" },
    });
    expect(visit.status).toBe(302);
    const answer = await exchange(`${hub.base}/preview/${first}-${port}/echo?after=restart`, {
      headers: { cookie: cookieOf(visit) },
    });
    expect(answer.status).toBe(200);
    expect(apps[0]!.seen.at(-1)?.url).toBe("/echo?after=restart");
  });

  it("answers 404 once the container is deleted, and the app sees nothing more", async () => {
    const { url } = await mint(second);
    const cookie = await cookieFor(url);
    const deleted = await exchange(`${hub.base}/v1/containers/${second}`, {
      method: "DELETE",
      headers: auth,
    });
    expect(deleted.status).toBe(204);
    const seenBefore = apps[1]!.seen.length;
    const proxied = `${hub.base}/preview/${second}-${port}/echo`;
    // While a Pod terminates the Hub still knows it (409, not running); never does a request reach the app.
    const during = await exchange(proxied, { headers: { cookie } });
    expect([404, 409]).toContain(during.status);
    await vi.waitUntil(
      async () => (await exchange(`${hub.base}/v1/containers/${second}`, { headers: auth })).status === 404,
      { timeout: 10_000, interval: 50 },
    );
    expect((await exchange(proxied, { headers: { cookie } })).status).toBe(404);
    expect(apps[1]!.seen.length).toBe(seenBefore);
  });
});
