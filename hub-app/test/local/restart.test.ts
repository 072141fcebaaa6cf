import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.js";
import { parseHubEnv } from "../../src/config.js";
import { createOrchestrator } from "../../src/orchestrator/factory.js";
import {
  deleteAllAndRemove,
  localOrchestrator,
  pidsInNamespaceOf,
  temporaryRoot,
} from "./sandbox-helpers.js";

const TOKEN = "restart-test-token-0123456789";
const auth = { authorization: `Bearer ${TOKEN}` };
let root: string;

/** A whole Hub (config, factory, app) over HUB_LOCAL_ROOT, as `npm start` builds it. */
async function startHub(): Promise<FastifyInstance> {
  const config = parseHubEnv({ HUB_API_TOKEN: TOKEN, HUB_LOCAL_ROOT: root });
  const logger = pino({ level: "silent" });
  const orchestrator = await createOrchestrator(config.orchestrator, { instance: config.instance, logger });
  return buildApp({ config, orchestrator, logger });
}

beforeAll(async () => {
  root = await temporaryRoot();
});
afterAll(async () => {
  await deleteAllAndRemove(localOrchestrator(root), root);
});

describe("a restarted local Hub", () => {
  it("still lists, runs in and deletes the containers the previous Hub created", async () => {
    const first = await startHub();
    const created = await first.inject({
      method: "POST",
      url: "/v1/containers",
      headers: auth,
      payload: { ttlSeconds: 600 },
    });
    expect(created.statusCode).toBe(201);
    const id = created.json<{ id: string }>().id;
    const started = await first.inject({
      method: "POST",
      url: `/v1/containers/${id}/run`,
      headers: auth,
      payload: { command: ["sh", "-c", "echo before > mark; nohup sleep 300 >/dev/null 2>&1 &"] },
    });
    expect(started.json().exitCode).toBe(0);
    await first.close();

    const second = await startHub();
    try {
      const list = await second.inject({ method: "GET", url: "/v1/containers", headers: auth });
      expect(list.json().items).toEqual([expect.objectContaining({ id, status: "running" })]);
      const ran = await second.inject({
        method: "POST",
        url: `/v1/containers/${id}/run`,
        headers: auth,
        payload: { command: ["cat", "mark"] },
      });
      expect(ran.json().stdout).toBe("before\n");

      const { initPid } = JSON.parse(await readFile(join(root, id, "meta.json"), "utf8")) as {
        initPid: number;
      };
      expect((await pidsInNamespaceOf(initPid)).length).toBeGreaterThanOrEqual(3);
      expect(
        (await second.inject({ method: "DELETE", url: `/v1/containers/${id}`, headers: auth })).statusCode,
      ).toBe(204);
      expect(await pidsInNamespaceOf(initPid)).toEqual([]);
      expect(
        (await second.inject({ method: "GET", url: "/v1/containers", headers: auth })).json().items,
      ).toEqual([]);
    } finally {
      await second.close();
    }
  });
});
