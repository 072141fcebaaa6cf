/**
 * Warm-pool members on ECS, two Hub replicas sharing one (fake, stateful) cluster: a member is
 * claimed only by the replica that started it, the claim moves it out of the pool with the
 * request's env, and the members of a replica whose task has stopped are stopped by a peer.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UntagResourceCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createEcsOrchestrator } from "../../src/orchestrator/ecs/index.js";
import { taskOwnership } from "../../src/orchestrator/ecs/pool-owner.js";
import type { Orchestrator, PoolClaim, PoolMember } from "../../src/orchestrator/types.js";
import { FakeEcs } from "./fake-ecs.js";
import { FakeSsmAgent } from "./fake-ssm-agent.js";
import { CLUSTER, containerSpec, ecsSettings, silentContext } from "./fixtures.js";

const agent = new FakeSsmAgent();
let workdir: string;
let ecs: FakeEcs;

beforeAll(() => agent.start());
afterAll(() => agent.stop());
beforeEach(() => {
  workdir = mkdtempSync(join(tmpdir(), "hub-ecs-pool-"));
  ecs = new FakeEcs(CLUSTER, agent);
  return () => rmSync(workdir, { recursive: true, force: true });
});

const hubTaskArn = (name: string) => `arn:aws:ecs:eu-west-1:123456789012:task/${CLUSTER}/${name}`;

/** A Hub replica running as its own task `name` in the cluster. */
function replica(name: string): Orchestrator {
  const arn = hubTaskArn(name);
  if (!ecs.tasks.has(arn)) ecs.addTask({ taskArn: arn, desiredStatus: "RUNNING", lastStatus: "RUNNING" });
  return createEcsOrchestrator(ecsSettings({ HUB_ECS_WORKDIR: workdir }), silentContext(), {
    ecs: ecs.client,
    sleep: () => Promise.resolve(),
    now: Date.now,
    readyPolling: { initialDelayMs: 1, maxDelayMs: 1 },
    ownership: taskOwnership(ecs.client, () => Promise.resolve(arn)),
  });
}

function claimOf(env: Record<string, string> = {}): PoolClaim {
  const createdAt = new Date();
  return { env, ports: [8000], createdAt, expiresAt: new Date(createdAt.getTime() + 600_000) };
}

async function readyMember(hub: Orchestrator, pool = "p-default"): Promise<PoolMember> {
  const started = await hub.createPoolMember(
    pool,
    containerSpec({ id: `cnt-${Math.random().toString(36).slice(2, 10)}` }),
  );
  const members = await hub.listPoolMembers();
  const member = members.find((candidate) => candidate.id === started.id);
  expect(member?.status).toBe("running");
  return member!;
}

describe("ECS warm-pool members", () => {
  it("are nobody's containers until claimed, and only their owner claims them", async () => {
    const a = replica("hub-a");
    const b = replica("hub-b");
    const member = await readyMember(a);
    expect(await a.list()).toEqual([]);
    expect(await a.get(member.id)).toBeUndefined();
    expect(await b.listPoolMembers()).toEqual([]);

    expect(await b.claimPoolMember(member, claimOf())).toEqual({ outcome: "lost" });
    const claims = await Promise.all([
      a.claimPoolMember(member, claimOf()),
      a.claimPoolMember(member, claimOf()),
    ]);
    expect(claims.map((claim) => claim.outcome).sort()).toEqual(["claimed", "lost"]);

    expect((await b.list()).map((info) => info.id)).toEqual([member.id]);
    expect(await a.listPoolMembers()).toEqual([]);
    const [task] = ecs.running("sandbox.hub/id");
    const keys = (task?.tags ?? []).map((tag) => tag.key);
    expect(keys).toContain("sandbox.hub/expires-at");
    expect(keys).not.toContain("sandbox.hub/warm-pool");
    expect(keys).not.toContain("sandbox.hub/warm-owner");
  });

  it("applies the claim's env to every command, on any replica", async () => {
    const a = replica("hub-a");
    const member = await readyMember(a);
    const claimed = await a.claimPoolMember(
      member,
      claimOf({ GREETING: "hello from a warm task", QUOTE: "it's" }),
    );
    expect(claimed.outcome).toBe("claimed");

    const other = replica("hub-b");
    const run = await other.run(member.id, {
      command: ["sh", "-c", 'echo "$GREETING / $QUOTE"'],
      timeoutMs: 10_000,
      maxOutputBytes: 4096,
    });
    expect(run.stdout).toBe("hello from a warm task / it's\n");
    const own = await a.run(member.id, {
      command: ["sh", "-c", 'echo "$GREETING"'],
      env: { GREETING: "the request's own wins" },
      timeoutMs: 10_000,
      maxOutputBytes: 4096,
    });
    expect(own.stdout).toBe("the request's own wins\n");
  });

  it("creates cold instead when the env would not fit in the task's tags", async () => {
    const a = replica("hub-a");
    const member = await readyMember(a);
    const result = await a.claimPoolMember(member, claimOf({ BIG: "x".repeat(20_000) }));
    expect(result).toMatchObject({ outcome: "unsuitable" });
    expect((await a.listPoolMembers()).map((m) => m.id)).toEqual([member.id]);
  });

  it("stops a half-claimed member instead of handing it out", async () => {
    const a = replica("hub-a");
    const member = await readyMember(a);
    ecs.mock
      .on(UntagResourceCommand)
      .rejectsOnce(Object.assign(new Error("boom"), { name: "ServerException" }));
    await expect(a.claimPoolMember(member, claimOf())).rejects.toThrow(/UntagResource/);
    expect(ecs.tasks.get(member.version)?.desiredStatus).toBe("STOPPED");
    expect(await a.list()).toEqual([]);
  });

  it("stops the members of a replica whose task has stopped; a live replica's are left alone", async () => {
    const a = replica("hub-a");
    const first = await readyMember(a);
    const second = await readyMember(a);
    const b = replica("hub-b");
    expect(await b.listPoolMembers()).toEqual([]);

    ecs.tasks.get(hubTaskArn("hub-a"))!.lastStatus = "STOPPED";
    const c = replica("hub-c");
    const orphans = await c.listPoolMembers();
    expect(orphans.map((m) => m.id).sort()).toEqual([first.id, second.id].sort());
    expect(orphans.every((m) => m.status === "failed" && m.pool === "p-default")).toBe(true);
    expect(await c.claimPoolMember(orphans[0]!, claimOf())).toEqual({ outcome: "lost" });
    for (const member of orphans) expect(await c.deletePoolMember(member)).toBe(true);
    expect(ecs.running("sandbox.hub/warm-pool")).toEqual([]);
  });
});
