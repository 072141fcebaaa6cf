/**
 * The Hub run from a checkout inside a private folder (`d=$(mktemp -d) && git clone ... "$d/c"`):
 * the project is hidden from sandboxes although a sandbox's user cannot even look inside that folder.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalOrchestrator, type LocalOrchestrator } from "../../src/orchestrator/local/index.js";
import { hidingPoint } from "../../src/orchestrator/local/hidden-paths.js";
import { deleteAllAndRemove, run, spec, temporaryRoot } from "./sandbox-helpers.js";

let privateFolder: string;
let root: string;
let orchestrator: LocalOrchestrator;

beforeAll(async () => {
  // mkdtemp makes the folder 0700, as mktemp -d does.
  privateFolder = await temporaryRoot();
  const checkout = join(privateFolder, "c");
  await mkdir(join(checkout, "hub-app", "src"), { recursive: true });
  await writeFile(join(checkout, "package.json"), "{}");
  await writeFile(join(checkout, "secret.txt"), "the Hub's own config");
  root = await temporaryRoot();
  orchestrator = createLocalOrchestrator(
    { root, maxProcesses: 128, scratchMiB: 1280, network: "none", cgroups: "auto" },
    { instance: "hub", logger: pino({ level: "silent" }), codeDirectory: join(checkout, "hub-app", "src") },
  );
});
afterAll(async () => {
  await deleteAllAndRemove(orchestrator, root);
  await deleteAllAndRemove(orchestrator, privateFolder);
});

describe("a Hub whose checkout is inside a 0700 folder", () => {
  it("starts sandboxes, which see neither the checkout nor the private folder", async () => {
    const { id, status } = await orchestrator.create(spec());
    expect(status).toBe("running");
    const listing = await run(orchestrator, id, [
      "sh",
      "-c",
      `ls -A ${privateFolder}; cat ${privateFolder}/c/secret.txt`,
    ]);
    expect(listing.stdout).toBe("");
    expect(listing.stderr).toMatch(/No such file or directory|Permission denied/);
  });

  it("hides the outermost folder a sandbox cannot search, or the path itself", async () => {
    const searchable = new Set(["/tmp"]);
    const canSearch = (dir: string) => Promise.resolve(searchable.has(dir));
    expect(await hidingPoint("/tmp/private/c", canSearch)).toBe("/tmp/private");
    searchable.add("/tmp/private");
    expect(await hidingPoint("/tmp/private/c", canSearch)).toBe("/tmp/private/c");
  });
});
