import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse } from "node-html-parser";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunRecord } from "../../src/bench/format.js";
import { cellFileName } from "../../src/bench/matrix.js";
import { EXIT } from "../../src/bench/program.js";
import { cli, oneLine } from "./cli-io.js";
import { startFakeHub, type FakeHub } from "./fake-hub.js";

let ec2Hub: FakeHub;
let fargateHub: FakeHub;
let outDir: string;

beforeEach(async () => {
  ec2Hub = await startFakeHub();
  fargateHub = await startFakeHub({ token: "fargate-token" });
  outDir = await mkdtemp(path.join(tmpdir(), "hub-bench-matrix-"));
});

afterEach(async () => {
  await ec2Hub.close();
  await fargateHub.close();
  await rm(outDir, { recursive: true, force: true });
});

describe("hub-bench matrix", () => {
  it("runs every cell against every Hub, one JSON each, and a report comparing the stacks per cell", async () => {
    const run = await cli([
      "matrix",
      "--hub-eks-ec2",
      ec2Hub.url,
      "--token",
      ec2Hub.token,
      "--hub-ecs-fargate",
      fargateHub.url,
      "--token-ecs-fargate",
      "fargate-token",
      "--sizes",
      "1,2",
      "--intervals",
      "1",
      "--out-dir",
      outDir,
    ]);
    expect(run.stderr).toContain("wrote 4 runs");
    expect(run.code).toBe(EXIT.ok);
    expect((await readdir(outDir)).sort()).toEqual(
      [
        cellFileName("ecs-fargate", 1, 1),
        cellFileName("ecs-fargate", 2, 1),
        cellFileName("eks-ec2", 1, 1),
        cellFileName("eks-ec2", 2, 1),
        "report.html",
      ].sort(),
    );
    const cell = JSON.parse(
      await readFile(path.join(outDir, cellFileName("eks-ec2", 2, 1)), "utf8"),
    ) as RunRecord;
    expect(cell).toMatchObject({
      label: "eks-ec2",
      options: { count: 2, intervalMs: 1, scenario: "exec", placement: "ec2" },
    });
    expect(ec2Hub.createBodies.every((body) => (body as { placement: string }).placement === "ec2")).toBe(
      true,
    );
    expect(
      fargateHub.createBodies.every((body) => (body as { placement: string }).placement === "fargate"),
    ).toBe(true);
    expect(ec2Hub.runs).toHaveLength(3 * 10);
    expect(ec2Hub.live.size + fargateHub.live.size).toBe(0);
    const page = parse(await readFile(path.join(outDir, "report.html"), "utf8"));
    const sections = page.querySelectorAll("section");
    expect(sections).toHaveLength(2);
    for (const section of sections) {
      const labels = section
        .querySelectorAll('figure[data-chart="creation"] g[data-label]')
        .map((group) => group.getAttribute("data-label"));
      expect(labels).toEqual(["eks-ec2", "ecs-fargate"]);
    }
  });

  it("runs the web scenario in every cell: the app started, its port URL polled until it answers, 20 GETs", async () => {
    const webHub = await startFakeHub({ appStartsAfter: 3 });
    try {
      const run = await cli([
        "matrix",
        ...["--hub-eks-ec2", webHub.url, "--token", webHub.token, "--scenario", "web", "--app-port", "3000"],
        ...["--sizes", "2", "--intervals", "1", "--out-dir", outDir],
      ]);
      expect(run.stderr).toContain("wrote 1 runs");
      expect(run.code).toBe(EXIT.ok);
      const file = cellFileName("eks-ec2", 2, 1, "web");
      expect(file).toBe("eks-ec2-n2-i1ms-web.json");
      const cell = JSON.parse(await readFile(path.join(outDir, file), "utf8")) as RunRecord;
      expect(cell.options).toMatchObject({ scenario: "web", app: { port: 3000 }, webRequests: 20 });
      expect(webHub.createBodies).toEqual([
        expect.objectContaining({ ports: [3000] }),
        expect.objectContaining({ ports: [3000] }),
      ]);
      expect(webHub.runBodies[0]).toEqual({
        command: [
          "sh",
          "-c",
          'nohup sh -c "$0" </dev/null >hub-bench-app.log 2>&1 &',
          "python3 -m http.server $PORT",
        ],
        env: { PORT: "3000" },
      });
      // Three 502s while the app starts, the first 200 (time to first response), then the 20 measured GETs.
      expect([...webHub.pageGets.values()]).toEqual([24, 24]);
      for (const sample of cell.samples) expect(sample.proxiedMs).toHaveLength(20);
      expect(cell.summary.firstResponseMs.count).toBe(2);
      const page = parse(await readFile(path.join(outDir, "report.html"), "utf8"));
      expect(page.querySelectorAll('figure[data-chart="first-response"] g[data-label]')).toHaveLength(1);
      expect(webHub.live.size).toBe(0);
    } finally {
      await webHub.close();
    }
  });

  it("checks every Hub before creating anything", async () => {
    const run = await cli([
      "matrix",
      "--hub-eks-ec2",
      ec2Hub.url,
      "--hub-ecs-fargate",
      fargateHub.url,
      "--token",
      ec2Hub.token,
      "--sizes",
      "1",
      "--out-dir",
      outDir,
    ]);
    expect(run.code).toBe(EXIT.usage);
    expect(oneLine(run.stderr)).toContain("refused the token (401 unauthorized)");
    expect(ec2Hub.createsReceived() + fargateHub.createsReceived()).toBe(0);
  });

  it("needs at least one Hub, and leaves no --out-dir behind when refused", async () => {
    const fresh = path.join(outDir, "not-yet");
    const badSizes = await cli(
      ["matrix", "--hub-eks-ec2", "http://127.0.0.1:1", "--sizes", "0", "--out-dir", fresh],
      { env: { HUB_TOKEN: "t" } },
    );
    expect(oneLine(badSizes.stderr)).toContain("--sizes must be");
    const run = await cli(["matrix", "--out-dir", fresh]);
    expect(existsSync(fresh)).toBe(false);
    expect(run.code).toBe(EXIT.usage);
    expect(oneLine(run.stderr)).toContain(
      "matrix needs at least one of --hub-eks-ec2, --hub-eks-fargate, --hub-ecs-fargate",
    );
  });
});
