/**
 * Warm pools through the HTTP API, over the in-memory test orchestrator: claims, misses that fall
 * back to cold, members hidden from GET /v1/containers, GET /v1/pools and the metrics, and what a
 * restarted Hub does with the members it finds (adopt, shrink, remove).
 */
import type { FastifyInstance } from "fastify";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.js";
import { parseHubEnv } from "../../src/config.js";
import { FakeOrchestrator } from "../app/fake-orchestrator.js";
import { TOKEN, auth } from "../app/test-app.js";

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function hub(fake: FakeOrchestrator, env: Record<string, string>): Promise<FastifyInstance> {
  const config = parseHubEnv({ HUB_API_TOKEN: TOKEN, HUB_WARM_POOL_INTERVAL_MS: "600000", ...env });
  const app = await buildApp({ config, orchestrator: fake, logger: pino({ level: "silent" }) });
  apps.push(app);
  return app;
}

/** Resolves once the pools report `ready` ready members (or fails the test at its timeout). */
async function poolsReady(app: FastifyInstance, ready: number[]): Promise<void> {
  for (;;) {
    const pools = (await app.inject({ method: "GET", url: "/v1/pools", headers: auth })).json<{
      items: { ready: number }[];
    }>();
    if (JSON.stringify(pools.items.map((pool) => pool.ready)) === JSON.stringify(ready)) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const create = (app: FastifyInstance, payload: object = {}) =>
  app.inject({ method: "POST", url: "/v1/containers", headers: auth, payload });

describe("warm pools in the API", () => {
  it("hands out ready members with the request's env and lifetime, then creates cold once empty", async () => {
    const fake = new FakeOrchestrator();
    const app = await hub(fake, { HUB_WARM_POOL_SIZE: "2" });
    await poolsReady(app, [2]);
    expect(fake.members.size).toBe(2);
    expect((await app.inject({ method: "GET", url: "/v1/containers", headers: auth })).json()).toEqual({
      items: [],
    });

    const first = await create(app, { env: { GREETING: "hi" }, ports: [8000], ttlSeconds: 120 });
    expect(first.statusCode).toBe(201);
    const body = first.json<{
      id: string;
      warm: boolean;
      timings: Record<string, number>;
      expiresAt: string;
      createdAt: string;
    }>();
    expect(body.warm).toBe(true);
    expect(body.timings.claimed).toBeGreaterThanOrEqual(0);
    expect(body.timings.ready).toBe(body.timings.claimed);
    expect(Date.parse(body.expiresAt) - Date.parse(body.createdAt)).toBe(120_000);
    expect(fake.claims[0]).toMatchObject({ env: { GREETING: "hi" }, ports: [8000] });
    expect(fake.specs).toHaveLength(0);

    // Another shape never takes a member.
    const other = await create(app, { cpu: 1 });
    expect(other.json<{ warm: boolean }>().warm).toBe(false);

    const second = await create(app);
    expect(second.json<{ warm: boolean }>().warm).toBe(true);
    const listed = (await app.inject({ method: "GET", url: "/v1/containers", headers: auth })).json<{
      items: { id: string }[];
    }>();
    expect(listed.items.map((item) => item.id)).toContain(body.id);
  });

  it("counts claims and misses in GET /v1/pools and /metrics, and refills in the background", async () => {
    const fake = new FakeOrchestrator();
    const app = await hub(fake, { HUB_WARM_POOL_SIZE: "1", HUB_DEFAULT_CPU: "0.5" });
    await poolsReady(app, [1]);
    // The pool cannot refill before the second create: that one is a miss, served cold.
    let refill = (): void => undefined;
    fake.poolStartGate = new Promise<void>((resolve) => (refill = resolve));
    expect((await create(app)).json<{ warm: boolean }>().warm).toBe(true);
    expect((await create(app)).json<{ warm: boolean }>().warm).toBe(false);
    refill();
    await poolsReady(app, [1]);
    const pools = (await app.inject({ method: "GET", url: "/v1/pools", headers: auth })).json();
    expect(pools).toEqual({
      items: [
        {
          pool: expect.stringMatching(/^wp-/),
          image: "host",
          cpu: 0.5,
          memory: 512,
          placement: "local",
          size: 1,
          ready: 1,
          starting: 0,
          claimsTotal: 1,
          missesTotal: 1,
        },
      ],
    });
    const metrics = (await app.inject({ method: "GET", url: "/metrics", headers: auth })).body;
    expect(metrics).toMatch(/hub_warm_pool_claims_total\{pool="wp-[0-9a-f]+"\} 1/);
    expect(metrics).toMatch(/hub_warm_pool_misses_total\{pool="wp-[0-9a-f]+"\} 1/);
    expect(metrics).toMatch(
      /hub_warm_pool_members\{pool="wp-[0-9a-f]+",image="host",cpu="0.5",memory="512",placement="local",state="ready"\} 1/,
    );
    expect(metrics).toContain("hub_warm_pool_claim_duration_seconds_count");
  });

  it("needs the token for GET /v1/pools", async () => {
    const app = await hub(new FakeOrchestrator(), {});
    const response = await app.inject({ method: "GET", url: "/v1/pools" });
    expect(response.statusCode).toBe(401);
    expect((await app.inject({ method: "GET", url: "/v1/pools", headers: auth })).json()).toEqual({
      items: [],
    });
  });

  it("a restarted Hub adopts the members it finds, shrinks a smaller pool and deletes a removed one", async () => {
    const fake = new FakeOrchestrator();
    const first = await hub(fake, { HUB_WARM_POOL_SIZE: "3" });
    await poolsReady(first, [3]);
    const before = [...fake.members.keys()].sort();
    await first.close();

    const again = await hub(fake, { HUB_WARM_POOL_SIZE: "3" });
    await poolsReady(again, [3]);
    expect([...fake.members.keys()].sort()).toEqual(before);
    await again.close();

    const smaller = await hub(fake, { HUB_WARM_POOL_SIZE: "1" });
    await poolsReady(smaller, [1]);
    expect(fake.members.size).toBe(1);
    expect(before).toContain([...fake.members.keys()][0]);
    await smaller.close();

    await hub(fake, {});
    for (let i = 0; fake.members.size > 0 && i < 1000; i += 1) await new Promise((r) => setTimeout(r, 5));
    expect(fake.members.size).toBe(0);
  });

  it("refuses to start with a pool on a placement this Hub does not serve", async () => {
    const fake = new FakeOrchestrator(["ec2"]);
    const config = parseHubEnv({
      HUB_API_TOKEN: TOKEN,
      HUB_ORCHESTRATOR: "kubernetes",
      HUB_WARM_POOLS: '[{"placement":"fargate","size":1}]',
    });
    await expect(buildApp({ config, orchestrator: fake, logger: pino({ level: "silent" }) })).rejects.toThrow(
      /placement must be one of ec2 on this Hub/,
    );
  });
});
