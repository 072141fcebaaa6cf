/**
 * Warm-pool members on Kubernetes against the fake API server, which answers 409 Conflict to a
 * write naming an older resourceVersion, as the real one does: two Hub replicas claiming one
 * member never both win, a claim applies the request's env, and a delete never takes a member
 * claimed meanwhile.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { newContainerId } from "../../src/ids.js";
import type { Orchestrator, PoolClaim, PoolMember } from "../../src/orchestrator/types.js";
import { startFakeKubeApi, type FakeKubeApi } from "./fake-api-server.js";
import { containerSpec, orchestratorOn } from "./fixtures.js";

let fake: FakeKubeApi;
const hubs: Orchestrator[] = [];

beforeEach(async () => {
  fake = await startFakeKubeApi();
});
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((hub) => hub.close()));
  await fake.close();
});

function replica(): Orchestrator {
  const hub = orchestratorOn(fake);
  hubs.push(hub);
  return hub;
}

function claimOf(env: Record<string, string> = {}): PoolClaim {
  const createdAt = new Date();
  return { env, ports: [8000, 3000], createdAt, expiresAt: new Date(createdAt.getTime() + 600_000) };
}

/** A member the kubelet has made ready, as listed (with its current resourceVersion). */
async function readyMember(hub: Orchestrator, pool = "p-default"): Promise<PoolMember> {
  const { id } = await hub.createPoolMember(pool, containerSpec({ id: newContainerId() }));
  for (;;) {
    const member = (await hub.listPoolMembers()).find((candidate) => candidate.id === id);
    if (member?.status === "running") return member;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("Kubernetes warm-pool members", () => {
  it("are labelled pods that list and get do not show", async () => {
    const hub = replica();
    const member = await readyMember(hub);
    const pod = fake.pods.get(`sandboxes/${member.id}`)!;
    expect(pod.metadata.labels).toMatchObject({
      "sandbox.hub/warm-pool": "p-default",
      "sandbox.hub/id": member.id,
    });
    // Nobody's env or ports yet: a claim brings them.
    expect(pod.spec.containers[0]).toMatchObject({ ports: [], env: [{ name: "HOME", value: "/workspace" }] });
    expect(await hub.list()).toEqual([]);
    expect(await hub.get(member.id)).toBeUndefined();
    expect(fake.requests.some((r) => r.query.get("labelSelector")?.endsWith(",sandbox.hub/warm-pool"))).toBe(
      true,
    );
  });

  it("go to exactly one of two replicas claiming at once; the loser sees a real 409", async () => {
    const [a, b] = [replica(), replica()];
    const member = await readyMember(a);
    const results = await Promise.all([
      a.claimPoolMember(member, claimOf()),
      b.claimPoolMember(member, claimOf()),
    ]);
    expect(results.map((result) => result.outcome).sort()).toEqual(["claimed", "lost"]);
    const patches = fake.requests.filter((r) => r.method === "PATCH");
    expect(patches).toHaveLength(2);
    expect(await a.listPoolMembers()).toEqual([]);
    const [container] = await b.list();
    expect(container).toMatchObject({ id: member.id, status: "running", ports: [8000, 3000] });
    expect(fake.pods.get(`sandboxes/${member.id}`)!.metadata.annotations).toMatchObject({
      "sandbox.hub/ports": "8000 3000",
    });
  });

  it("runs every command of a claimed member with the claim's env, on any replica", async () => {
    const [a, b] = [replica(), replica()];
    const member = await readyMember(a);
    const claimed = await a.claimPoolMember(
      member,
      claimOf({ GREETING: "hello from a warm pod", QUOTE: "it's" }),
    );
    expect(claimed.outcome).toBe("claimed");
    const request = { timeoutMs: 10_000, maxOutputBytes: 4096 };
    const onOther = await b.run(member.id, {
      command: ["sh", "-c", 'echo "$GREETING / $QUOTE"'],
      ...request,
    });
    expect(onOther.stdout).toBe("hello from a warm pod / it's\n");
    const overridden = await a.run(member.id, {
      command: ["sh", "-c", 'echo "$GREETING"'],
      env: { GREETING: "the request's own" },
      ...request,
    });
    expect(overridden.stdout).toBe("the request's own\n");
  });

  it("does not delete a member claimed after it was listed, nor claim one deleted", async () => {
    const hub = replica();
    const member = await readyMember(hub);
    expect((await hub.claimPoolMember(member, claimOf())).outcome).toBe("claimed");
    expect(await hub.deletePoolMember(member)).toBe(false);
    expect(fake.pods.get(`sandboxes/${member.id}`)?.metadata.deletionTimestamp).toBeUndefined();

    const other = await readyMember(hub);
    expect(await hub.deletePoolMember(other)).toBe(true);
    expect(await hub.claimPoolMember(other, claimOf())).toEqual({ outcome: "lost" });
  });

  it("creates cold instead when the env is too large for an annotation", async () => {
    const hub = replica();
    const member = await readyMember(hub);
    const result = await hub.claimPoolMember(member, claimOf({ BIG: "x".repeat(200_000) }));
    expect(result).toMatchObject({ outcome: "unsuitable" });
  });

  it("reports a member whose container failed, so the pool replaces it", async () => {
    const hub = replica();
    const { id } = await hub.createPoolMember(
      "p-default",
      containerSpec({ id: newContainerId(), image: "crashing:1" }),
    );
    let member: PoolMember | undefined;
    while (member?.status !== "failed") {
      member = (await hub.listPoolMembers()).find((candidate) => candidate.id === id);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(member.message).toContain("exit code 127");
    expect(await hub.claimPoolMember(member, claimOf())).toEqual({ outcome: "lost" });
  });
});
