import { existsSync } from "node:fs";
import { link, mkdir, mkdtemp, open, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { LocalOrchestrator } from "../../src/orchestrator/local/index.js";
import { scratchUsage } from "../../src/orchestrator/local/scratch-usage.js";
import {
  deleteAllAndRemove,
  isEnding,
  localOrchestrator,
  run,
  spec,
  temporaryRoot,
} from "./sandbox-helpers.js";

const MIB = 1024 * 1024;
const SCRATCH_MIB = 16;

describe("a sandbox's disk use, as the scratch watch measures it", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "scratch-usage-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("counts blocks held (not a sparse file's length), a hard link once, no symlink's target, no vanished sandbox", async () => {
    const sandbox = join(dir, "cnt-one");
    for (const folder of ["work", "tmp"]) await mkdir(join(sandbox, folder), { recursive: true });
    await writeFile(join(sandbox, "work", "data"), Buffer.alloc(MIB, 1));
    await link(join(sandbox, "work", "data"), join(sandbox, "tmp", "same-data"));
    const sparse = await open(join(sandbox, "work", "sparse"), "w");
    await sparse.truncate(100 * MIB);
    await sparse.close();
    await writeFile(join(dir, "outside"), Buffer.alloc(5 * MIB, 1));
    await symlink(join(dir, "outside"), join(sandbox, "tmp", "link"));

    const usage = await scratchUsage(
      new Map([
        ["cnt-one", sandbox],
        ["cnt-gone", join(dir, "cnt-gone")],
      ]),
    );
    expect([...usage.keys()]).toEqual(["cnt-one"]);
    const { bytes, inodes } = usage.get("cnt-one")!;
    // The file's MiB and the folders' own blocks: not the sparse file's 100 MiB, the link's twin or target.
    expect(bytes).toBeGreaterThanOrEqual(MIB);
    expect(bytes).toBeLessThan(MIB + 256 * 1024);
    // work, tmp, data (and its hard link), sparse, link.
    expect(inodes).toBe(5);
  });
});

/** An orchestrator with a 16 MiB scratch space measured every `checkMs`, for the describe block that calls it. */
function scratchOrchestrator(checkMs: number): {
  readonly root: string;
  readonly orchestrator: LocalOrchestrator;
} {
  const made = { root: "", orchestrator: undefined as unknown as LocalOrchestrator };
  beforeAll(async () => {
    made.root = await temporaryRoot();
    made.orchestrator = localOrchestrator(made.root, "hub", {
      scratchMiB: SCRATCH_MIB,
      scratchCheckMs: checkMs,
    });
  });
  afterAll(async () => {
    await deleteAllAndRemove(made.orchestrator, made.root);
  });
  return made;
}

describe("a local sandbox's files", () => {
  // No check during this test: the file at the limit would be evicted.
  const local = scratchOrchestrator(3_600_000);

  it("cannot write one file larger than all of it (RLIMIT_FSIZE: the write stops at the limit)", async () => {
    const { orchestrator } = local;
    const { id } = await orchestrator.create(spec());
    const result = await run(orchestrator, id, [
      "sh",
      "-c",
      `head -c ${(SCRATCH_MIB + 1) * MIB} /dev/zero > big; echo "exit $?"; stat -c %s big; rm big`,
    ]);
    // SIGXFSZ (25) ends head: the shell reports 128 + 25.
    expect(result.stdout).toBe(`exit 153\n${SCRATCH_MIB * MIB}\n`);
    await orchestrator.delete(id);
  });
});

describe("a local sandbox past its scratch space", () => {
  const local = scratchOrchestrator(100);

  it("is evicted, as a pod past its emptyDir's sizeLimit: stopped, its files removed, the reason shown; its neighbour runs on", async () => {
    const { orchestrator, root } = local;
    const neighbour = await orchestrator.create(spec());
    const hog = await orchestrator.create(spec());
    // Within the limit: measured by the very passes that evict the hog.
    await run(orchestrator, neighbour.id, ["sh", "-c", `head -c ${8 * MIB} /dev/zero > kept`]);
    const { initPid } = JSON.parse(await readFile(join(root, hog.id, "meta.json"), "utf8")) as {
      initPid: number;
    };
    // Two files, each below the limit, in the home folder and /tmp: together past it. The eviction
    // may stop this very command (then it answers conflict), as a pod's eviction stops its exec.
    await run(orchestrator, hog.id, [
      "sh",
      "-c",
      `head -c ${10 * MIB} /dev/urandom > a && head -c ${10 * MIB} /dev/urandom > /tmp/b`,
    ]).catch((error: unknown) => expect(error).toMatchObject({ code: "conflict" }));

    await vi.waitFor(async () => expect((await orchestrator.get(hog.id))?.status).toBe("failed"), {
      timeout: 30_000,
      interval: 50,
    });
    const message = (await orchestrator.get(hog.id))?.message ?? "";
    const took = new RegExp(
      `^evicted: its files in /home/sandbox and /tmp took (\\d+) MiB of disk and \\d+ inodes, past its ${SCRATCH_MIB} MiB or ${SCRATCH_MIB * 256} inodes \\(HUB_LOCAL_SCRATCH_MIB\\)`,
    ).exec(message);
    expect(took, message).not.toBeNull();
    expect(Number(took?.[1])).toBeGreaterThan(SCRATCH_MIB);
    expect(await isEnding(initPid)).toBe(true);
    await expect(run(orchestrator, hog.id, ["true"])).rejects.toMatchObject({ code: "conflict" });
    await vi.waitFor(
      () => {
        for (const folder of ["work", "tmp"]) expect(existsSync(join(root, hog.id, folder))).toBe(false);
      },
      { timeout: 30_000, interval: 50 },
    );

    expect((await orchestrator.get(neighbour.id))?.status).toBe("running");
    expect((await run(orchestrator, neighbour.id, ["stat", "-c", "%s", "kept"])).stdout).toBe(`${8 * MIB}\n`);
    expect(await orchestrator.delete(hog.id)).toBe(true);
    expect(await orchestrator.get(hog.id)).toBeUndefined();
  });

  it("is evicted for inodes too: empty files take no block, but each takes one of the disk's inodes", async () => {
    const { orchestrator } = local;
    const { id } = await orchestrator.create(spec());
    // 16 MiB allows 4096 inodes; the files hold nothing.
    await run(
      orchestrator,
      id,
      ["sh", "-c", "mkdir many && cd many && seq 5000 | xargs touch"],
      60_000,
    ).catch((error: unknown) => expect(error).toMatchObject({ code: "conflict" }));
    await vi.waitFor(async () => expect((await orchestrator.get(id))?.status).toBe("failed"), {
      timeout: 30_000,
      interval: 50,
    });
    const message = (await orchestrator.get(id))?.message ?? "";
    const inodes = /took \d+ MiB of disk and (\d+) inodes/.exec(message)?.[1];
    expect(Number(inodes), message).toBeGreaterThan(SCRATCH_MIB * 256);
    await orchestrator.delete(id);
  });
});
