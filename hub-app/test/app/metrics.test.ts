import type { FastifyInstance } from "fastify";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { FakeOrchestrator } from "./fake-orchestrator.js";
import { auth, fakeHub } from "./test-app.js";

let app: FastifyInstance;
let fake: FakeOrchestrator;
afterEach(async () => {
  await app.close();
});

const METRICS_TOKEN = "metrics-only-token-0123456789";
const scrape = (headers: Record<string, string> = auth) =>
  app.inject({ method: "GET", url: "/metrics", headers });

describe("GET /metrics", () => {
  it("needs a bearer token: the process's file descriptors and memory are not for anonymous callers", async () => {
    ({ app, fake } = await fakeHub());
    const anonymous = await scrape({});
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.body).not.toContain("process_open_fds");
    expect((await scrape()).body).toContain("process_open_fds");
  });

  it("takes HUB_METRICS_TOKEN, and then not the API token, so Prometheus never holds the API token", async () => {
    ({ app, fake } = await fakeHub({ HUB_METRICS_TOKEN: METRICS_TOKEN }));
    expect((await scrape({ authorization: `Bearer ${METRICS_TOKEN}` })).statusCode).toBe(200);
    expect((await scrape()).statusCode).toBe(401);
  });

  it("counts containers from a snapshot: 100 concurrent scrapes list the orchestrator once", async () => {
    ({ app, fake } = await fakeHub());
    await app.inject({ method: "POST", url: "/v1/containers", headers: auth, payload: {} });
    const before = fake.listCalls;
    const answers = await Promise.all(Array.from({ length: 100 }, () => scrape()));
    expect(answers.every((answer) => answer.statusCode === 200)).toBe(true);
    expect(answers.every((answer) => answer.body.includes('hub_containers{status="running"} 1'))).toBe(true);
    expect(fake.listCalls - before).toBeLessThanOrEqual(1);
  });

  it("renders once for scrapes that arrive together, and anew for the next scrape", async () => {
    ({ app, fake } = await fakeHub());
    const renders = vi.spyOn(Registry.prototype, "metrics");
    try {
      const answers = await Promise.all(Array.from({ length: 50 }, () => scrape()));
      expect(answers.every((answer) => answer.statusCode === 200)).toBe(true);
      expect(new Set(answers.map((answer) => answer.body)).size).toBe(1);
      expect(renders).toHaveBeenCalledTimes(1);
      await app.inject({ method: "POST", url: "/v1/containers", headers: auth, payload: {} });
      const after = await scrape();
      expect(renders).toHaveBeenCalledTimes(2);
      expect(after.body).toMatch(/hub_create_duration_seconds_count\{outcome="[a-z]+"\} 1/);
    } finally {
      renders.mockRestore();
    }
  });

  it("answers 200 when listing fails, never a 500", async () => {
    ({ app, fake } = await fakeHub());
    fake.failNext(new Error("EMFILE: too many open files"));
    const answer = await scrape();
    expect(answer.statusCode).toBe(200);
    expect(answer.body).not.toContain("EMFILE");
  });
});
