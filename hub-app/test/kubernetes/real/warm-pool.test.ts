/**
 * Warm pools on a real kube-apiserver 1.34 (kwok nodes, the eks-ec2 stack's Role for the Hub):
 * the API server itself refuses the losing claim with 409 Conflict (a merge patch carrying a stale
 * resourceVersion), and two whole Hubs sharing one pool through rounds of concurrent creates hand
 * out every member once, lose none, apply each request's env and refill.
 */
import type { FastifyInstance } from "fastify";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../../src/app.js";
import { parseHubEnv } from "../../../src/config.js";
import { newContainerId } from "../../../src/ids.js";
import {
  createKubernetesOrchestrator,
  kubernetesEnvSchema,
} from "../../../src/orchestrator/kubernetes/index.js";
import type { Orchestrator, PoolClaim, PoolMember } from "../../../src/orchestrator/types.js";
import { TOKEN } from "../../app/test-app.js";
import {
  claimRace,
  envSeenBy,
  expectNoneLost,
  poolBackToSize,
  type RaceHub,
} from "../../pools/claim-race.js";
import { containerSpec } from "../fixtures.js";
import {
  hostWorkspace,
  SANDBOX_NAMESPACE,
  serviceAccountKubeConfig,
  uniqueName,
  until,
} from "./real-cluster.js";

const SIZE = 3;
const instance = uniqueName("hub-warm");
let workdir: string;
const apps: FastifyInstance[] = [];
const orchestrators: Orchestrator[] = [];

beforeAll(() => {
  workdir = hostWorkspace();
});
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  // Leave nothing on the shared cluster: the containers and the members this file made.
  const cleaner = await replica();
  for (const container of await cleaner.list()) await cleaner.delete(container.id);
  for (const member of await cleaner.listPoolMembers()) await cleaner.deletePoolMember(member);
  await Promise.all(orchestrators.map((orchestrator) => orchestrator.close()));
});

/** One Hub replica's orchestrator, with the Hub's own ServiceAccount token. */
async function replica(): Promise<Orchestrator> {
  const settings = kubernetesEnvSchema.parse({
    HUB_K8S_NAMESPACE: SANDBOX_NAMESPACE,
    HUB_K8S_WORKDIR: workdir,
  });
  const orchestrator = createKubernetesOrchestrator(
    settings,
    { instance, logger: pino({ level: "silent" }) },
    { kubeConfig: await serviceAccountKubeConfig() },
  );
  orchestrators.push(orchestrator);
  return orchestrator;
}

async function hub(): Promise<RaceHub> {
  const orchestrator = await replica();
  const config = parseHubEnv({
    HUB_API_TOKEN: TOKEN,
    HUB_ORCHESTRATOR: "kubernetes",
    HUB_INSTANCE: instance,
    HUB_K8S_NAMESPACE: SANDBOX_NAMESPACE,
    HUB_K8S_WORKDIR: workdir,
    HUB_WARM_POOL_SIZE: String(SIZE),
    HUB_WARM_POOL_INTERVAL_MS: "200",
  });
  const app = await buildApp({ config, orchestrator, logger: pino({ level: "silent" }) });
  apps.push(app);
  return { app, orchestrator };
}

function claimOf(env: Record<string, string>): PoolClaim {
  const createdAt = new Date();
  return { env, ports: [8000], createdAt, expiresAt: new Date(createdAt.getTime() + 600_000) };
}

describe("warm pools on a real API server", () => {
  it("refuses the second of two concurrent claims of one member with the API server's 409", async () => {
    const [a, b] = [await replica(), await replica()];
    const { id } = await a.createPoolMember("wp-real", containerSpec({ id: newContainerId() }));
    let member: PoolMember | undefined;
    await until("the member is ready", async () => {
      member = (await a.listPoolMembers()).find(
        (candidate) => candidate.id === id && candidate.status === "running",
      );
      return member !== undefined;
    });
    const results = await Promise.all([
      a.claimPoolMember(member!, claimOf({ WHO: "a" })),
      b.claimPoolMember(member!, claimOf({ WHO: "b" })),
    ]);
    expect(results.map((result) => result.outcome).sort()).toEqual(["claimed", "lost"]);
    const winner = results[0]?.outcome === "claimed" ? "a" : "b";
    const run = await b.run(id, {
      command: ["sh", "-c", 'echo "$WHO"'],
      timeoutMs: 10_000,
      maxOutputBytes: 1024,
    });
    expect(run.stdout).toBe(`${winner}\n`);
    expect(await a.deletePoolMember(member!)).toBe(false);
    expect(await a.delete(id)).toBe(true);
  });

  it("two Hubs sharing a pool hand out each member once, lose none, apply each env and refill", async () => {
    const [a, b] = [await hub(), await hub()];
    await poolBackToSize(a.orchestrator, SIZE);
    const outcome = await claimRace([a, b], 5, 2);
    expect(outcome.ids).toHaveLength(20);
    expect(outcome.warm).toBeGreaterThan(0);
    await expectNoneLost([a, b], outcome);
    for (const item of outcome.created.slice(0, 6))
      expect(await envSeenBy(b.app, item.id)).toBe(item.expectedEnv);
    await poolBackToSize(b.orchestrator, SIZE);
  });
});
