/**
 * Two Hubs on one Kubernetes namespace (the fake API server, with real 409s on stale
 * resourceVersions) share a warm pool: many rounds of concurrent creates, more than the pool
 * holds; then a restart adopts the members, a smaller pool shrinks and a removed one is emptied.
 */
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.js";
import { parseHubEnv } from "../../src/config.js";
import { TOKEN } from "../app/test-app.js";
import { startFakeKubeApi, type FakeKubeApi } from "../kubernetes/fake-api-server.js";
import { orchestratorOn } from "../kubernetes/fixtures.js";
import {
  claimRace,
  envSeenBy,
  eventually,
  expectNoneLost,
  poolBackToSize,
  type RaceHub,
} from "./claim-race.js";

const SIZE = 4;
let fake: FakeKubeApi;
const hubs: RaceHub[] = [];

beforeEach(async () => {
  fake = await startFakeKubeApi();
});
afterEach(async () => {
  await Promise.all(hubs.splice(0).map(({ app }) => app.close()));
  await fake.close();
});

async function startHub(poolSize: number): Promise<RaceHub> {
  const orchestrator = orchestratorOn(fake, { instance: "race" });
  const config = parseHubEnv({
    HUB_API_TOKEN: TOKEN,
    HUB_ORCHESTRATOR: "kubernetes",
    HUB_INSTANCE: "race",
    HUB_WARM_POOL_SIZE: String(poolSize),
    HUB_WARM_POOL_INTERVAL_MS: "100",
  });
  const app = await buildApp({ config, orchestrator, logger: pino({ level: "silent" }) });
  const hub = { app, orchestrator };
  hubs.push(hub);
  return hub;
}

const memberIds = async (hub: RaceHub) => (await hub.orchestrator.listPoolMembers()).map((m) => m.id).sort();

describe("a warm pool shared by two Hubs on Kubernetes", () => {
  it("never hands out a member twice, loses none, refills, and survives restarts", async () => {
    const [a, b] = [await startHub(SIZE), await startHub(SIZE)];
    await poolBackToSize(a.orchestrator, SIZE);

    const outcome = await claimRace([a, b], 10, 3);
    expect(outcome.ids).toHaveLength(60);
    expect(outcome.warm).toBeGreaterThan(0);
    expect(outcome.cold).toBeGreaterThan(0);
    // The two Hubs really did reach for the same members: the API server turned the losers away.
    expect(fake.staleWrites).toBeGreaterThan(0);
    await expectNoneLost([a, b], outcome);
    await poolBackToSize(a.orchestrator, SIZE);

    // Every pod is someone's container or a member; nothing else was left behind.
    const live = [...fake.pods.values()].filter((pod) => pod.metadata.deletionTimestamp === undefined);
    expect(live.length).toBe(outcome.ids.length + SIZE);
    for (const item of [
      ...outcome.created.filter((c) => c.warm).slice(0, 4),
      ...outcome.created.filter((c) => !c.warm).slice(0, 2),
    ]) {
      expect(await envSeenBy(a.app, item.id)).toBe(item.expectedEnv);
    }

    const before = await memberIds(a);
    await Promise.all(hubs.splice(0).map(({ app }) => app.close()));
    const restarted = await startHub(SIZE);
    await restarted.app.inject({
      method: "GET",
      url: "/v1/pools",
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    await poolBackToSize(restarted.orchestrator, SIZE);
    expect(await memberIds(restarted)).toEqual(before);

    await Promise.all(hubs.splice(0).map(({ app }) => app.close()));
    const smaller = await startHub(1);
    await poolBackToSize(smaller.orchestrator, 1);
    expect(before).toEqual(expect.arrayContaining(await memberIds(smaller)));

    await Promise.all(hubs.splice(0).map(({ app }) => app.close()));
    const none = await startHub(0);
    await eventually(async () => (await memberIds(none)).length === 0);
    expect((await none.orchestrator.list()).length).toBe(outcome.ids.length);
  });
});
