import { afterEach, describe, expect, it } from "vitest";
import { auth, fakeHub } from "./test-app.js";

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function hubWithContainer(env: Record<string, string> = {}, ports = [8000]) {
  const { app, fake } = await fakeHub(env);
  close = () => app.close();
  const created = await app.inject({
    method: "POST",
    url: "/v1/containers",
    headers: auth,
    payload: { ports, ttlSeconds: 3600 },
  });
  expect(created.statusCode).toBe(201);
  const container = created.json<{ id: string; expiresAt: string; ports: number[] }>();
  return { app, fake, container };
}

describe("POST /v1/containers/:id/ports/:port/url", () => {
  it("mints a path-based URL under the Hub's address that lives as long as the container", async () => {
    const { app, container } = await hubWithContainer();
    expect(container.ports).toEqual([8000]);
    const minted = await app.inject({
      method: "POST",
      url: `/v1/containers/${container.id}/ports/8000/url`,
      headers: { ...auth, host: "hub.test:8080" },
    });
    expect(minted.statusCode).toBe(201);
    const { url, expiresAt } = minted.json<{ url: string; expiresAt: string }>();
    expect(url).toMatch(
      new RegExp(`^http://hub\\.test:8080/preview/${container.id}-8000/\\?hub_port_token=\\d+\\.[\\w-]{43}$`),
    );
    // Whole seconds, never after the container's own expiry.
    expect(Date.parse(expiresAt)).toBe(Math.floor(Date.parse(container.expiresAt) / 1000) * 1000);
  });

  it("mints host-based URLs on the preview domain, scheme and port from HUB_PUBLIC_URL", async () => {
    const { app, container } = await hubWithContainer({
      HUB_PREVIEW_DOMAIN: "Sandboxes.Example.com",
      HUB_PUBLIC_URL: "https://hub.example.com",
    });
    const minted = await app.inject({
      method: "POST",
      url: `/v1/containers/${container.id}/ports/8000/url`,
      headers: auth,
      payload: { ttlSeconds: 600 },
    });
    expect(minted.statusCode).toBe(201);
    const { url, expiresAt } = minted.json<{ url: string; expiresAt: string }>();
    expect(url).toMatch(
      new RegExp(`^https://${container.id}-8000\\.sandboxes\\.example\\.com/\\?hub_port_token=`),
    );
    const lifetime = (Date.parse(expiresAt) - Date.now()) / 1000;
    expect(lifetime).toBeGreaterThan(590);
    expect(lifetime).toBeLessThanOrEqual(600);
  });

  it("refuses a port the container did not declare, naming the declared ones", async () => {
    const { app, container } = await hubWithContainer({}, [8000, 5173]);
    const minted = await app.inject({
      method: "POST",
      url: `/v1/containers/${container.id}/ports/3000/url`,
      headers: auth,
    });
    expect(minted.statusCode).toBe(400);
    expect(minted.json().error.message).toBe(
      `port 3000 is not declared by ${container.id} (declared ports: 8000, 5173); declare ports in "ports" when creating the container`,
    );
  });

  it.each([
    ["0", "port must be a port number from 1 to 65535"],
    ["70000", "port must be a port number from 1 to 65535"],
    ["http", "port must be a port number from 1 to 65535"],
  ])("refuses port %s with a clear message", async (port, message) => {
    const { app, container } = await hubWithContainer();
    const minted = await app.inject({
      method: "POST",
      url: `/v1/containers/${container.id}/ports/${port}/url`,
      headers: auth,
    });
    expect(minted.statusCode).toBe(400);
    expect(minted.json().error.message).toContain(message);
  });

  it("refuses a ttlSeconds that is not a positive integer, and unknown fields", async () => {
    const { app, container } = await hubWithContainer();
    for (const payload of [{ ttlSeconds: 0 }, { ttlSeconds: 1.5 }, { ttl: 60 }]) {
      const minted = await app.inject({
        method: "POST",
        url: `/v1/containers/${container.id}/ports/8000/url`,
        headers: auth,
        payload,
      });
      expect(minted.statusCode).toBe(400);
    }
  });

  it("answers 404 for an unknown container and 401 without the bearer token", async () => {
    const { app } = await hubWithContainer();
    const unknown = await app.inject({
      method: "POST",
      url: "/v1/containers/cnt-nosuch1/ports/8000/url",
      headers: auth,
    });
    expect(unknown.statusCode).toBe(404);
    const anonymous = await app.inject({ method: "POST", url: "/v1/containers/cnt-nosuch1/ports/8000/url" });
    expect(anonymous.statusCode).toBe(401);
  });
});
