import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunRecord } from "../../src/bench/format.js";
import { EXIT } from "../../src/bench/program.js";
import { cli } from "./cli-io.js";

/** The web scenario on the embedded local Hub: real sandboxes, real apps inside, reached only through port URLs. */
describe("hub-bench spawn --scenario web on the embedded local Hub", () => {
  let workDir: string;
  beforeAll(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), "hub-bench-web-"));
  });
  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  it("starts an app from --app in each sandbox, times its first response and 20 GETs through the Hub", async () => {
    const app = path.join(workDir, "site");
    await mkdir(path.join(app, "assets"), { recursive: true });
    await writeFile(path.join(app, "index.html"), "<h1>site</h1>");
    await writeFile(path.join(app, "assets", "app.css"), "h1 { color: teal }");
    const jsonPath = path.join(workDir, "web.json");
    const run = await cli([
      "spawn",
      ...["-n", "2", "-i", "50", "--scenario", "web", "--app", app, "--app-port", "8123"],
      ...["--json", jsonPath],
    ]);
    expect(run.stderr).toBe(`wrote ${jsonPath}\n`);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toContain("Time to first response through the Hub");
    expect(run.stdout).toMatch(/proxied GET \(client\)\s+40 /);
    expect(run.stdout).toMatch(/first response p99 [\d.]+ s, proxied GET p50/);
    const record = JSON.parse(await readFile(jsonPath, "utf8")) as RunRecord;
    expect(record.options).toMatchObject({
      scenario: "web",
      app: { dir: app, start: "python3 -m http.server $PORT", port: 8123 },
      webRequests: 20,
    });
    for (const sample of record.samples) {
      expect(sample.status).toBe("ok");
      expect(sample.firstResponseMs).toBeGreaterThan(sample.readyMs ?? Infinity);
      expect(sample.proxiedMs).toHaveLength(20);
    }
    expect(record.summary.firstResponseMs.count).toBe(2);
    expect(record.summary.proxiedMs.count).toBe(40);
    expect(record.cleanup).toEqual({ kept: false, deleted: 2, failed: [], abandonedInFlight: 0 });
  });

  it("reports an app that answers with an error as a failure of its container, with the app's status", async () => {
    const app = path.join(workDir, "broken");
    await mkdir(app, { recursive: true });
    // Answers every GET with 500: the Hub passes the app's status through, and the tool stops at once.
    await writeFile(
      path.join(app, "serve.py"),
      [
        "import http.server, os",
        "class Broken(http.server.BaseHTTPRequestHandler):",
        "    def do_GET(self):",
        "        self.send_response(500); self.send_header('content-length', '0'); self.end_headers()",
        "http.server.HTTPServer(('0.0.0.0', int(os.environ['PORT'])), Broken).serve_forever()",
        "",
      ].join("\n"),
    );
    const jsonPath = path.join(workDir, "broken.json");
    const run = await cli([
      "spawn",
      ...["--scenario", "web", "--app", app, "--start", "python3 serve.py", "--json", jsonPath],
    ]);
    expect(run.code).toBe(EXIT.runFailures);
    expect(run.stdout).toContain("Failures: app:http_500 x1");
    const record = JSON.parse(await readFile(jsonPath, "utf8")) as RunRecord;
    expect(record.samples[0]?.error).toMatchObject({ phase: "app", code: "http_500", httpStatus: 500 });
    expect(record.cleanup.deleted).toBe(1);
  });
});
