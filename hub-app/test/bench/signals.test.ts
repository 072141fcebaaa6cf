/**
 * The real CLI in its own process, stopped by SIGTERM as `timeout`, `kill` or a CI runner would:
 * it must delete what it created, as on Ctrl-C (the embedded Hub that could reap them dies with it).
 */
import { spawn } from "node:child_process";
import { chmod, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const HUB_APP = join(import.meta.dirname, "..", "..");
let dir: string | undefined;
afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe("the bench CLI stopped by SIGTERM", () => {
  it("stops scheduling, deletes every container it created and exits 130", async () => {
    dir = await mkdtemp(join(tmpdir(), "bench-sigterm-"));
    await chmod(dir, 0o711); // a root Hub's sandboxes run as their own uids and pass through it
    const json = join(dir, "run.json");
    const root = join(dir, "sandboxes");
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "src/bench/cli.ts", "spawn", "-n", "300", "-i", "100", "--json", json],
      { cwd: HUB_APP, stdio: "ignore", env: { ...process.env, HUB_LOCAL_ROOT: root } },
    );
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const sandboxes = async () =>
      (await readdir(root).catch(() => [] as string[])).filter((name) => name.startsWith("cnt-"));
    // Stop it once a few sandboxes exist (300 creates 100 ms apart would take 30 s).
    await expect
      .poll(async () => (await sandboxes()).length, { timeout: 30_000, interval: 100 })
      .toBeGreaterThan(2);
    child.kill("SIGTERM");
    expect(await exited).toBe(130);
    expect(await sandboxes()).toEqual([]);
    const record = JSON.parse(await readFile(json, "utf8")) as {
      interrupted: boolean;
      samples: { id?: string }[];
      cleanup: { deleted: number; failed: unknown[] };
    };
    const created = record.samples.filter((sample) => sample.id !== undefined).length;
    expect(record.interrupted).toBe(true);
    expect(created).toBeGreaterThan(0);
    expect(created).toBeLessThan(300);
    expect(record.cleanup).toMatchObject({ deleted: created, failed: [] });
  }, 60_000);
});
