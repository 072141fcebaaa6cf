import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UidClaims } from "../../src/orchestrator/local/uid-claims.js";
import { deleteAllAndRemove, localOrchestrator, temporaryRoot } from "./sandbox-helpers.js";

let root: string;
beforeAll(async () => {
  root = await temporaryRoot();
});
afterAll(async () => {
  await deleteAllAndRemove(localOrchestrator(root), root);
});

describe("host uid claims", () => {
  it("never give one uid twice, across two Hub processes over one root claiming at once, without reading any sandbox", async () => {
    const [a, b] = [new UidClaims(root), new UidClaims(root)];
    const uids = await Promise.all(Array.from({ length: 400 }, (_, i) => (i % 2 === 0 ? a : b).claim()));
    expect(new Set(uids).size).toBe(400);
    expect((await readdir(join(root, ".uids"))).length).toBe(400);

    // A third, seeded after them, knows every claim from the claims folder alone.
    const later = new UidClaims(root);
    const more = await Promise.all(Array.from({ length: 100 }, () => later.claim()));
    expect(more.filter((uid) => uids.includes(uid))).toEqual([]);
    await Promise.all([...uids, ...more].map((uid) => later.release(uid)));
    expect(await readdir(join(root, ".uids"))).toEqual([]);
  });
});
