/**
 * The whole Hub as a deployment runs it (environment -> config -> factory -> app), with the
 * client loading its KUBECONFIG from disk, against the fake API server.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.js";
import { parseHubEnv } from "../../src/config.js";
import { createOrchestrator } from "../../src/orchestrator/factory.js";
import { startFakeKubeApi, type FakeKubeApi } from "./fake-api-server.js";
import { NAMESPACE } from "./fixtures.js";

const TOKEN = "kubernetes-hub-test-token";
const auth = { authorization: `Bearer ${TOKEN}` };
let fake: FakeKubeApi;
let configDir: string;
const previousKubeconfig = process.env.KUBECONFIG;

async function startHub(): Promise<FastifyInstance> {
  const config = parseHubEnv({
    HUB_ORCHESTRATOR: "kubernetes",
    HUB_API_TOKEN: TOKEN,
    HUB_INSTANCE: "class-hub",
    HUB_K8S_PLACEMENTS: "ec2,fargate",
  });
  const logger = pino({ level: "silent" });
  const orchestrator = await createOrchestrator(config.orchestrator, { instance: config.instance, logger });
  return buildApp({ config, orchestrator, logger });
}

beforeAll(async () => {
  fake = await startFakeKubeApi();
  configDir = mkdtempSync(join(tmpdir(), "hub-kubeconfig-"));
  const path = join(configDir, "config");
  writeFileSync(path, fake.kubeConfig().exportConfig());
  process.env.KUBECONFIG = path;
});
afterAll(async () => {
  if (previousKubeconfig === undefined) delete process.env.KUBECONFIG;
  else process.env.KUBECONFIG = previousKubeconfig;
  rmSync(configDir, { recursive: true, force: true });
  await fake.close();
});

describe("the Hub on the kubernetes orchestrator", () => {
  it("creates, writes files, runs, lists and deletes; a restarted Hub carries on", async () => {
    const hub = await startHub();
    const created = await hub.inject({
      method: "POST",
      url: "/v1/containers",
      headers: auth,
      payload: { cpu: 0.5 },
    });
    expect(created.statusCode).toBe(201);
    const container = created.json<{ id: string; status: string; placement: string; timings: object }>();
    expect(container).toMatchObject({ status: "running", placement: "ec2" });
    expect(container.timings).toHaveProperty("ready");
    const { id } = container;

    const files = await hub.inject({
      method: "PUT",
      url: `/v1/containers/${id}/files`,
      headers: auth,
      payload: { files: [{ path: "hello.py", content: "print('hi')\n" }] },
    });
    expect(files.statusCode).toBe(204);
    const ran = await hub.inject({
      method: "POST",
      url: `/v1/containers/${id}/run`,
      headers: auth,
      payload: { command: ["cat", "hello.py"] },
    });
    expect(ran.json()).toMatchObject({ exitCode: 0, stdout: "print('hi')\n", timedOut: false });
    await hub.close();

    const restarted = await startHub();
    try {
      const list = await restarted.inject({ method: "GET", url: "/v1/containers", headers: auth });
      expect(list.json<{ items: { id: string }[] }>().items.map((item) => item.id)).toEqual([id]);
      const deleted = await restarted.inject({
        method: "DELETE",
        url: `/v1/containers/${id}`,
        headers: auth,
      });
      expect(deleted.statusCode).toBe(204);
      const again = await restarted.inject({ method: "DELETE", url: `/v1/containers/${id}`, headers: auth });
      expect(again.statusCode).toBe(404);
    } finally {
      await restarted.close();
    }
  });

  it("answers 502 with the kubelet's reason for an image that cannot be pulled, and removes the pod", async () => {
    const hub = await startHub();
    try {
      const created = await hub.inject({
        method: "POST",
        url: "/v1/containers",
        headers: auth,
        payload: { image: "registry.example/unpullable:1", placement: "fargate" },
      });
      expect(created.statusCode).toBe(502);
      expect(created.json()).toEqual({
        error: { code: "container_failed", message: expect.stringMatching(/ErrImagePull/) as string },
      });
      const deletes = fake.requests.filter((r) => r.method === "DELETE");
      expect(deletes.length).toBeGreaterThan(0);
      expect(deletes.at(-1)?.path).toMatch(new RegExp(`/namespaces/${NAMESPACE}/pods/cnt-`));
    } finally {
      await hub.close();
    }
  });

  it("answers 503 with Retry-After and the reason when RBAC refuses, and readiness fails", async () => {
    const hub = await startHub();
    try {
      fake.failNext("POST", /\/pods$/, 403, "Forbidden", "pods is forbidden");
      const created = await hub.inject({ method: "POST", url: "/v1/containers", headers: auth, payload: {} });
      expect(created.statusCode).toBe(503);
      expect(created.headers["retry-after"]).toBe("5");
      expect(created.json<{ error: { message: string } }>().error.message).toMatch(/check its RBAC Role/);

      fake.failNext("GET", /\/pods$/, 403, "Forbidden", "pods is forbidden");
      const ready = await hub.inject({ method: "GET", url: "/readyz" });
      expect(ready.statusCode).toBe(503);
    } finally {
      await hub.close();
    }
  });
});
