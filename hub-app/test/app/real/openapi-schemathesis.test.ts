/**
 * schemathesis (PyPI) against the Hub's own OpenAPI document: property-based requests generated
 * from GET /docs, sent to a Hub on the local orchestrator over HTTP, with every check (no 5xx,
 * status codes, content types, headers and bodies as documented, valid data accepted, invalid data
 * refused, 405 for undeclared methods, auth enforced). Bounded in examples and time.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { FastifyInstance } from "fastify";
import pino from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { buildApp } from "../../../src/app.js";
import { parseHubEnv } from "../../../src/config.js";
import { createLocalOrchestrator, type LocalOrchestrator } from "../../../src/orchestrator/local/index.js";
import { deleteAllAndRemove } from "../../local/sandbox-helpers.js";
import { peerPython, PEER_INSTALL_TIMEOUT_MS } from "../../peers/python-env.js";
import { TOKEN } from "../test-app.js";
import { listenOnLoopback } from "../raw-http.js";

const MAX_EXAMPLES = 25;
const MAX_SECONDS = 120;
const CONFIG = resolve(import.meta.dirname, "schemathesis.toml");

let app: FastifyInstance;
let root: string;
let port: number;
let python: string;
let orchestrator: LocalOrchestrator | undefined;

beforeAll(async () => {
  python = await peerPython();
  root = await mkdtemp(join(tmpdir(), "hub-schemathesis-"));
  // Small limits keep every generated create and run cheap on a shared machine.
  const config = parseHubEnv({
    HUB_API_TOKEN: TOKEN,
    HUB_LOCAL_ROOT: root,
    HUB_CPU_MAX: "1",
    HUB_MEMORY_MAX_MIB: "512",
    HUB_RUN_TIMEOUT_DEFAULT_MS: "5000",
    HUB_RUN_TIMEOUT_MAX_MS: "5000",
  });
  orchestrator = createLocalOrchestrator(config.orchestrator.settings as never, {
    instance: "schemathesis",
    logger: pino({ level: "silent" }),
    codeDirectory: resolve(import.meta.dirname, "../../../src"),
  });
  app = await buildApp({ config, orchestrator, logger: pino({ level: "silent" }) });
  port = await listenOnLoopback(app);
}, PEER_INSTALL_TIMEOUT_MS);

afterAll(async () => {
  await app?.close();
  // The sandboxes schemathesis created outlive the Hub on purpose: delete them, not only their folder.
  if (orchestrator !== undefined && root !== undefined) await deleteAllAndRemove(orchestrator, root);
  else if (root !== undefined) await rm(root, { recursive: true, force: true });
});

it(
  "finds no failure in the Hub against its own OpenAPI document",
  async () => {
    const args = [
      "-m",
      "schemathesis.cli",
      "--config-file",
      CONFIG,
      "run",
      `http://127.0.0.1:${port}/docs`,
      "--header",
      `Authorization: Bearer ${TOKEN}`,
      "--max-examples",
      String(MAX_EXAMPLES),
      "--max-time",
      String(MAX_SECONDS),
      "--workers",
      "1",
      "--no-color",
      "--output-truncate",
      "true",
    ];
    // schemathesis keeps its example cache in its working directory: the test's own folder, removed after.
    const outcome = await new Promise<{ code: number; output: string }>((done) => {
      execFile(
        python,
        args,
        { cwd: root, maxBuffer: 64 * 1024 * 1024, timeout: (MAX_SECONDS + 120) * 1000 },
        (error, stdout, stderr) => {
          const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
          done({ code, output: `${stdout}\n${stderr}` });
        },
      );
    });
    // On failure the message is schemathesis' own report, with a curl line per failure.
    expect(outcome.code, outcome.output.slice(-20_000)).toBe(0);
    expect(outcome.output).toMatch(/Tested: \d+/);
  },
  (MAX_SECONDS + 180) * 1000,
);
