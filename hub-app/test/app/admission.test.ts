import type { FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { AdmissionGate } from "../../src/services/admission.js";
import type { FakeOrchestrator } from "./fake-orchestrator.js";
import { waitFor } from "./raw-http.js";
import { auth, fakeHub } from "./test-app.js";

let app: FastifyInstance;
let fake: FakeOrchestrator;
afterEach(async () => {
  await app.close();
});

const create = () => app.inject({ method: "POST", url: "/v1/containers", headers: auth, payload: {} });

describe("admission of creates", () => {
  it("runs HUB_CREATE_CONCURRENCY at once, queues HUB_CREATE_QUEUE, refuses the rest with 429 and Retry-After", async () => {
    ({ app, fake } = await fakeHub({ HUB_CREATE_CONCURRENCY: "2", HUB_CREATE_QUEUE: "3" }));
    const release = fake.holdCreates();
    const admitted = Array.from({ length: 5 }, () => create());
    await waitFor(() => fake.creating === 2, 5000);
    const refused = await create();
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error).toMatchObject({
      code: "throttled",
      message: expect.stringMatching(/2 creates in progress and 3 waiting \(HUB_CREATE_QUEUE\)/) as string,
    });
    expect(Number(refused.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    // The Hub answers everything else while the queue is full.
    expect((await app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
    const metrics = (await app.inject({ method: "GET", url: "/metrics", headers: auth })).body;
    expect(metrics).toMatch(/hub_creates_in_flight 2/);
    expect(metrics).toMatch(/hub_creates_waiting 3/);
    expect(fake.creating).toBe(2);
    release();
    const answers = await Promise.all(admitted);
    expect(answers.map((answer) => answer.statusCode)).toEqual([201, 201, 201, 201, 201]);
    expect(fake.specs).toHaveLength(5);
  });

  it("takes each orchestrator's own concurrency unless HUB_CREATE_CONCURRENCY is set", async () => {
    ({ app, fake } = await fakeHub());
    const release = fake.holdCreates();
    const admitted = Array.from({ length: 6 }, () => create());
    await waitFor(() => fake.creating === 4, 5000); // the local orchestrator's default
    release();
    await Promise.all(admitted);
  });
});

describe("AdmissionGate", () => {
  it("serves waiters first come first served and drops one whose client went away", async () => {
    const gate = new AdmissionGate({ what: "creates", concurrency: 1, queueLimit: 5, queueVariable: "Q" });
    const order: string[] = [];
    let open: () => void = () => undefined;
    const first = gate.run(() =>
      new Promise<void>((resolve) => (open = resolve)).then(() => order.push("a")),
    );
    const gone = new AbortController();
    const abandoned = gate.run(() => Promise.resolve(order.push("b")), gone.signal);
    const third = gate.run(() => Promise.resolve(order.push("c")));
    expect(gate.queued).toBe(2);
    gone.abort();
    await expect(abandoned).rejects.toThrow(/went away/);
    expect(gate.queued).toBe(1);
    open();
    await Promise.all([first, third]);
    expect(order).toEqual(["a", "c"]);
    expect(gate.inFlight).toBe(0);
  });

  it("frees the slot of work that failed", async () => {
    const gate = new AdmissionGate({ what: "creates", concurrency: 1, queueLimit: 0, queueVariable: "Q" });
    await expect(gate.run(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await gate.run(() => Promise.resolve("next"))).toBe("next");
  });
});
