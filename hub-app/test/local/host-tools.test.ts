import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { missingHostTools, requireHostTools } from "../../src/orchestrator/local/host-tools.js";
import { HOST_TOOLS_PATH } from "../../src/orchestrator/local/sandbox-args.js";

let bin: string;
beforeAll(async () => {
  bin = await mkdtemp(join(tmpdir(), "host-tools-"));
  await writeFile(join(bin, "bwrap"), "#!/bin/sh\n");
  await chmod(join(bin, "bwrap"), 0o755);
  // Present but not executable: does not count.
  await writeFile(join(bin, "nsenter"), "#!/bin/sh\n");
});
afterAll(async () => {
  await rm(bin, { recursive: true, force: true });
});

describe("the host programs a local sandbox needs", () => {
  it("are all on the fixed PATH the Hub gives them here", async () => {
    expect(await missingHostTools(HOST_TOOLS_PATH)).toEqual([]);
  });

  it("lists what a PATH lacks, counting only executables", async () => {
    expect(await missingHostTools(bin)).toEqual(["nsenter", "setpriv"]);
  });

  it("says what to install, as a 503 the readiness probe reports", async () => {
    await expect(requireHostTools(`${bin}:/nonexistent`)).rejects.toMatchObject({
      code: "orchestrator_unavailable",
      message: expect.stringMatching(
        /needs nsenter, setpriv \(util-linux\), not found in .*: install them/,
      ) as string,
    });
    await expect(requireHostTools("/nonexistent")).rejects.toThrow(
      /bwrap.*\(package bubblewrap and util-linux\)/,
    );
  });
});
