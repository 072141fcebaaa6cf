/**
 * Warm-pool members of the local orchestrator, for real (bubblewrap): two orchestrators over one
 * HUB_LOCAL_ROOT (two Hub processes on one machine) claim by rename(2), so one member goes to
 * exactly one of them; the claimed sandbox keeps running and takes the claim's env.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newContainerId } from "../../src/ids.js";
import type { PoolClaim } from "../../src/orchestrator/types.js";
import { deleteAllAndRemove, localOrchestrator, run, spec, temporaryRoot } from "./sandbox-helpers.js";

let root: string;

beforeAll(async () => {
  root = await temporaryRoot();
});
afterAll(async () => {
  await deleteAllAndRemove(localOrchestrator(root), root);
});

function claimOf(env: Record<string, string> = {}): PoolClaim {
  const createdAt = new Date();
  return { env, ports: [8000], createdAt, expiresAt: new Date(createdAt.getTime() + 600_000) };
}

describe("local warm-pool members", () => {
  it("run, are not containers, and go to exactly one of two Hubs claiming at once", async () => {
    const [a, b] = [localOrchestrator(root), localOrchestrator(root)];
    const member = await a.createPoolMember("p-local", spec({ id: newContainerId(), env: { LEAK: "no" } }));
    expect(member).toMatchObject({ pool: "p-local", status: "running" });
    expect(await b.listPoolMembers()).toEqual([member]);
    expect(await a.list()).toEqual([]);
    expect(await a.get(member.id)).toBeUndefined();

    const results = await Promise.all([
      a.claimPoolMember(member, claimOf({ GREETING: "hello" })),
      b.claimPoolMember(member, claimOf({ GREETING: "other" })),
    ]);
    expect(results.map((result) => result.outcome).sort()).toEqual(["claimed", "lost"]);
    expect(await a.listPoolMembers()).toEqual([]);
    const [container] = await b.list();
    expect(container).toMatchObject({ id: member.id, status: "running" });
    expect(Date.parse(container!.readyAt!)).toBeGreaterThanOrEqual(Date.parse(container!.createdAt));

    const winner = results.findIndex((result) => result.outcome === "claimed");
    const greeting = await run(a, member.id, ["sh", "-c", 'echo "$GREETING ${LEAK:-unset}"']);
    expect(greeting.stdout).toBe(`${winner === 0 ? "hello" : "other"} unset\n`);
    expect(await a.deletePoolMember(member)).toBe(false);
    expect(await a.delete(member.id)).toBe(true);
  });

  it("deletes a member so that a later claim finds nothing, and the reverse", async () => {
    const hub = localOrchestrator(root);
    const first = await hub.createPoolMember("p-local", spec({ id: newContainerId() }));
    expect(await hub.deletePoolMember(first)).toBe(true);
    expect(await hub.claimPoolMember(first, claimOf())).toEqual({ outcome: "lost" });
    expect(await hub.listPoolMembers()).toEqual([]);
  });

  it("lists a member whose processes died as failed, and never hands it out", async () => {
    const hub = localOrchestrator(root);
    const member = await hub.createPoolMember("p-local", spec({ id: newContainerId() }));
    const meta = JSON.parse(await readFile(join(root, ".warm", member.id, "meta.json"), "utf8")) as {
      initPid: number;
    };
    process.kill(meta.initPid, "SIGKILL");
    let listed = member;
    while (listed.status !== "failed") [listed = member] = await hub.listPoolMembers();
    expect(await hub.claimPoolMember(listed, claimOf())).toEqual({ outcome: "lost" });
    expect(await hub.list()).toEqual([]);
  });
});
