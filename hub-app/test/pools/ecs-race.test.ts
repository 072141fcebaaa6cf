/**
 * Two Hub replicas on one ECS cluster (a stateful fake of the ECS API: TagResource is last-writer-
 * wins, as on AWS). Each replica claims only the members it started, so concurrent creates on
 * both never share one; a replica that is replaced (its task stopped) has its members stopped by
 * the new one, which refills its own.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.js";
import { parseHubEnv } from "../../src/config.js";
import { createEcsOrchestrator } from "../../src/orchestrator/ecs/index.js";
import { taskOwnership } from "../../src/orchestrator/ecs/pool-owner.js";
import { TOKEN } from "../app/test-app.js";
import { FakeEcs } from "../ecs/fake-ecs.js";
import { FakeSsmAgent } from "../ecs/fake-ssm-agent.js";
import { CLUSTER, ECS_HUB_ENV, silentContext } from "../ecs/fixtures.js";
import {
  claimRace,
  envSeenBy,
  eventually,
  expectNoneLost,
  poolBackToSize,
  type RaceHub,
} from "./claim-race.js";

const SIZE = 3;
const agent = new FakeSsmAgent();
beforeAll(() => agent.start());
afterAll(() => agent.stop());

/** A Hub replica running as task `name` of the cluster. */
async function replica(ecs: FakeEcs, name: string): Promise<RaceHub> {
  const arn = `arn:aws:ecs:eu-west-1:123456789012:task/${CLUSTER}/${name}`;
  ecs.addTask({ taskArn: arn, desiredStatus: "RUNNING", lastStatus: "RUNNING" });
  const config = parseHubEnv({
    ...ECS_HUB_ENV,
    HUB_ORCHESTRATOR: "ecs",
    HUB_API_TOKEN: TOKEN,
    HUB_INSTANCE: silentContext().instance,
    HUB_ECS_WORKDIR: agentWorkdir,
    HUB_WARM_POOL_SIZE: String(SIZE),
    HUB_WARM_POOL_INTERVAL_MS: "100",
  });
  const orchestrator = createEcsOrchestrator(
    config.orchestrator.settings as Parameters<typeof createEcsOrchestrator>[0],
    silentContext(),
    {
      ecs: ecs.client,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 5))),
      now: Date.now,
      readyPolling: { initialDelayMs: 5, maxDelayMs: 5 },
      ownership: taskOwnership(ecs.client, () => Promise.resolve(arn)),
    },
  );
  const app = await buildApp({ config, orchestrator, logger: pino({ level: "silent" }) });
  return { app, orchestrator };
}

let agentWorkdir = "";

describe("warm pools of two Hub replicas on ECS", () => {
  it("never share a member, lose none, refill per replica, and a replaced replica's members are stopped", async () => {
    agentWorkdir = mkdtempSync(join(tmpdir(), "hub-ecs-race-"));
    const ecs = new FakeEcs(CLUSTER, agent);
    const [a, b] = [await replica(ecs, "hub-a"), await replica(ecs, "hub-b")];
    try {
      await Promise.all([poolBackToSize(a.orchestrator, SIZE), poolBackToSize(b.orchestrator, SIZE)]);
      const outcome = await claimRace([a, b], 8, 4);
      expect(outcome.ids).toHaveLength(64);
      expect(outcome.warm).toBeGreaterThan(0);
      expect(outcome.cold).toBeGreaterThan(0);
      await expectNoneLost([a, b], outcome);
      await Promise.all([poolBackToSize(a.orchestrator, SIZE), poolBackToSize(b.orchestrator, SIZE)]);
      // Each running task is a container someone got, or a member of one replica.
      expect(ecs.running("sandbox.hub/id")).toHaveLength(outcome.ids.length + 2 * SIZE);
      for (const item of [
        ...outcome.created.filter((c) => c.warm).slice(0, 3),
        outcome.created.find((c) => !c.warm)!,
      ]) {
        expect(await envSeenBy(b.app, item.id)).toBe(item.expectedEnv);
      }

      // Replica a is replaced: its task stops, a new task takes its place.
      const oldMembers = (await a.orchestrator.listPoolMembers()).map((m) => m.id);
      await a.app.close();
      ecs.tasks.get(`arn:aws:ecs:eu-west-1:123456789012:task/${CLUSTER}/hub-a`)!.lastStatus = "STOPPED";
      const c = await replica(ecs, "hub-c");
      await poolBackToSize(c.orchestrator, SIZE);
      await eventually(() => Promise.resolve(ecs.running("sandbox.hub/warm-pool").length === 2 * SIZE));
      const stopped = oldMembers.map((id) =>
        [...ecs.tasks.values()].find((task) =>
          task.tags?.some((tag) => tag.key === "sandbox.hub/id" && tag.value === id),
        ),
      );
      expect(stopped.every((task) => task?.desiredStatus === "STOPPED")).toBe(true);
      await c.app.close();
    } finally {
      await Promise.all([a.app.close(), b.app.close()]);
      rmSync(agentWorkdir, { recursive: true, force: true });
    }
  });
});
