import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedHub } from "../../src/embedded.js";
import { temporaryRoot } from "./sandbox-helpers.js";

let root: string;
beforeAll(async () => {
  root = await temporaryRoot();
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("startEmbeddedHub", () => {
  it("serves the API on 127.0.0.1 with a generated token over the local orchestrator, until closed", async () => {
    const hub = await startEmbeddedHub({ env: { HUB_LOCAL_ROOT: root } });
    expect(hub.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(hub.orchestrator).toBe("local");
    const headers = { authorization: `Bearer ${hub.token}`, "content-type": "application/json" };
    try {
      expect((await fetch(`${hub.url}/v1/containers`)).status).toBe(401);
      const created = await fetch(`${hub.url}/v1/containers`, { method: "POST", headers, body: "{}" });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: string };
      const ran = await fetch(`${hub.url}/v1/containers/${id}/run`, {
        method: "POST",
        headers,
        body: JSON.stringify({ command: ["echo", "ok"] }),
      });
      expect(await ran.json()).toMatchObject({ exitCode: 0, stdout: "ok\n" });
      expect((await fetch(`${hub.url}/v1/containers/${id}`, { method: "DELETE", headers })).status).toBe(204);
    } finally {
      await hub.close();
    }
    await expect(fetch(`${hub.url}/healthz`)).rejects.toThrow();
  });

  it("uses the token it is given", async () => {
    const hub = await startEmbeddedHub({
      env: { HUB_LOCAL_ROOT: root, HUB_API_TOKEN: "given-token-0123456789" },
    });
    try {
      expect(hub.token).toBe("given-token-0123456789");
    } finally {
      await hub.close();
    }
  });
});
