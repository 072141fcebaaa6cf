import pino from "pino";
import { describe, expect, it } from "vitest";
import { reapExpired, startReaper } from "../../src/reaper.js";
import { FakeOrchestrator } from "./fake-orchestrator.js";

const logger = pino({ level: "silent" });

async function fakeWith(expiries: Record<string, string>): Promise<FakeOrchestrator> {
  const fake = new FakeOrchestrator();
  for (const [id, expiresAt] of Object.entries(expiries)) {
    await fake.create({
      id,
      image: "host",
      cpu: 1,
      memoryMiB: 128,
      placement: "local",
      env: {},
      ports: [],
      createdAt: new Date("2030-01-01T00:00:00Z"),
      expiresAt: new Date(expiresAt),
    });
  }
  return fake;
}

describe("reapExpired", () => {
  it("deletes exactly the containers past expiresAt", async () => {
    const fake = await fakeWith({ "cnt-old01": "2030-01-01T01:00:00Z", "cnt-new01": "2030-01-01T03:00:00Z" });
    const deleted = await reapExpired(fake, new Date("2030-01-01T02:00:00Z"), logger);
    expect(deleted).toEqual(["cnt-old01"]);
    expect([...fake.containers.keys()]).toEqual(["cnt-new01"]);
  });

  it("keeps going when one delete fails", async () => {
    const fake = await fakeWith({ "cnt-old01": "2030-01-01T01:00:00Z", "cnt-old02": "2030-01-01T01:00:00Z" });
    const remove = fake.delete.bind(fake);
    fake.delete = async (id) => (id === "cnt-old01" ? Promise.reject(new Error("boom")) : remove(id));
    expect(await reapExpired(fake, new Date("2030-01-01T02:00:00Z"), logger)).toEqual(["cnt-old02"]);
  });
});

describe("startReaper", () => {
  it("reaps on its interval until stopped", async () => {
    const fake = await fakeWith({ "cnt-old01": "2000-01-01T00:00:00Z" });
    let reaped = 0;
    const done = new Promise<void>((resolve) => {
      const reaper = startReaper(fake, 10, logger, (count) => {
        reaped += count;
        if (count > 0) void reaper.stop().then(resolve);
      });
    });
    await done;
    expect(reaped).toBe(1);
    expect(fake.containers.size).toBe(0);
  });
});
