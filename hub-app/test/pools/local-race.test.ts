/**
 * Two Hubs on one machine (one HUB_LOCAL_ROOT, real bubblewrap sandboxes) share a warm pool:
 * rounds of concurrent creates, more than the pool holds, claimed by rename(2); then a restart
 * adopts the members, a smaller pool shrinks and a removed one is emptied.
 */
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.js";
import { parseHubEnv } from "../../src/config.js";
import { TOKEN } from "../app/test-app.js";
import { deleteAllAndRemove, localOrchestrator, temporaryRoot } from "../local/sandbox-helpers.js";
import {
  claimRace,
  envSeenBy,
  eventually,
  expectNoneLost,
  poolBackToSize,
  type RaceHub,
} from "./claim-race.js";

const SIZE = 3;
let root: string;
const hubs: RaceHub[] = [];

beforeAll(async () => {
  root = await temporaryRoot();
});
afterAll(async () => {
  await Promise.all(hubs.splice(0).map(({ app }) => app.close()));
  await deleteAllAndRemove(localOrchestrator(root, "race"), root);
});

async function startHub(poolSize: number): Promise<RaceHub> {
  const orchestrator = localOrchestrator(root, "race");
  const config = parseHubEnv({
    HUB_API_TOKEN: TOKEN,
    HUB_LOCAL_ROOT: root,
    HUB_INSTANCE: "race",
    HUB_WARM_POOL_SIZE: String(poolSize),
    HUB_WARM_POOL_INTERVAL_MS: "100",
  });
  const app = await buildApp({ config, orchestrator, logger: pino({ level: "silent" }) });
  const hub = { app, orchestrator };
  hubs.push(hub);
  return hub;
}

const closeAll = () => Promise.all(hubs.splice(0).map(({ app }) => app.close()));
const memberIds = async (hub: RaceHub) => (await hub.orchestrator.listPoolMembers()).map((m) => m.id).sort();

describe("a warm pool shared by two local Hubs", () => {
  it("never hands out a member twice, loses none, refills, and survives restarts", async () => {
    const [a, b] = [await startHub(SIZE), await startHub(SIZE)];
    await poolBackToSize(a.orchestrator, SIZE);

    const outcome = await claimRace([a, b], 6, 2);
    expect(outcome.ids).toHaveLength(24);
    expect(outcome.warm).toBeGreaterThan(0);
    await expectNoneLost([a, b], outcome);
    await poolBackToSize(b.orchestrator, SIZE);
    for (const item of [
      ...outcome.created.filter((c) => c.warm).slice(0, 4),
      ...outcome.created.filter((c) => !c.warm).slice(0, 1),
    ]) {
      expect(await envSeenBy(b.app, item.id)).toBe(item.expectedEnv);
    }

    const before = await memberIds(a);
    await closeAll();
    const restarted = await startHub(SIZE);
    await poolBackToSize(restarted.orchestrator, SIZE);
    expect(await memberIds(restarted)).toEqual(before);

    await closeAll();
    const smaller = await startHub(1);
    await poolBackToSize(smaller.orchestrator, 1);
    expect(before).toEqual(expect.arrayContaining(await memberIds(smaller)));

    await closeAll();
    const none = await startHub(0);
    await eventually(async () => (await memberIds(none)).length === 0);
    expect((await none.orchestrator.list()).map((info) => info.id).sort()).toEqual([...outcome.ids].sort());
  });
});
