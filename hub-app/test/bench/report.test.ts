import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse } from "node-html-parser";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EXIT } from "../../src/bench/program.js";
import { groupRuns } from "../../src/bench/report-data.js";
import { renderReport } from "../../src/bench/report-html.js";
import { ecdfPath } from "../../src/bench/svg-chart.js";
import { cli, oneLine } from "./cli-io.js";
import { makeRecord, makeWebRecord } from "./records.js";

const HOSTILE_LABEL = `<script>alert("x")</script> & 'eks'`;

describe("renderReport", () => {
  const records = [
    makeRecord("eks-ec2", [900, 1800, 2600]),
    makeRecord("ecs-fargate", [20_000, 45_000]),
    makeRecord(HOSTILE_LABEL, [50, 60]),
  ];
  const html = renderReport(groupRuns(records), new Date("2025-01-01T00:00:00Z"));
  const page = parse(html);

  it("draws one series per label in each chart", () => {
    for (const chart of ["creation", "command"]) {
      const figure = page.querySelector(`figure[data-chart="${chart}"]`);
      const groups = figure?.querySelectorAll("g[data-label]") ?? [];
      expect(groups.map((group) => group.getAttribute("data-label"))).toEqual([
        "eks-ec2",
        "ecs-fargate",
        HOSTILE_LABEL,
      ]);
      for (const group of groups) expect(group.querySelectorAll("path[data-series]")).toHaveLength(1);
    }
  });

  it("escapes labels: the hostile one is text, never markup", () => {
    expect(page.querySelectorAll("script")).toHaveLength(0);
    expect(html).not.toContain("<script>");
    expect(page.querySelector("ul.legend")?.text).toContain(HOSTILE_LABEL);
  });

  it("loads nothing from the network: no scripts, links, images or fonts", () => {
    expect(page.querySelectorAll("script, link, img, iframe, object")).toHaveLength(0);
    expect(html).not.toMatch(/\b(src|href)=/);
    expect(html).not.toMatch(/@import|@font-face|url\(/);
  });

  it("lists every run's percentiles and options", () => {
    const rows = page.querySelectorAll("table")[0]?.querySelectorAll("tbody tr") ?? [];
    expect(rows).toHaveLength(3);
    const firstRow = rows[0]?.querySelectorAll("td").map((cell) => cell.text) ?? [];
    expect(firstRow.slice(0, 5)).toEqual(["eks-ec2", "3", "3", "0", "1.800"]);
    // Options read as names and values, not raw JSON.
    const options = page
      .querySelector("dl.options")
      ?.querySelectorAll("dt, dd")
      .map((cell) => cell.text);
    expect(options?.slice(0, 4)).toEqual(["count", "3", "intervalMs", "100"]);
    expect(html).not.toContain("&quot;intervalMs&quot;");
  });

  it("groups a matrix's runs by cell when labels repeat, each chart comparing the stacks", () => {
    const matrix = [
      makeRecord("eks-ec2", [1000], { intervalMs: 100 }),
      makeRecord("ecs-fargate", [40_000], { intervalMs: 100 }),
      makeRecord("eks-ec2", [1100], { intervalMs: 1000 }),
      makeRecord("ecs-fargate", [41_000], { intervalMs: 1000 }),
    ];
    const matrixPage = parse(renderReport(groupRuns(matrix)));
    const sections = matrixPage.querySelectorAll("section");
    expect(sections.map((section) => section.querySelector("h2")?.text)).toEqual([
      "1 containers, a create every 100 ms, exec scenario",
      "1 containers, a create every 1000 ms, exec scenario",
    ]);
    for (const section of sections) {
      expect(section.querySelectorAll('figure[data-chart="creation"] g[data-label]')).toHaveLength(2);
    }
  });

  it("gives each run's verdict in its own line under the table", () => {
    const verdicts = page.querySelectorAll("ul.verdicts li").map((item) => item.text);
    expect(verdicts).toHaveLength(3);
    expect(verdicts[0]).toMatch(/^eks-ec2: (PASS|SLOW|FAIL)/);
  });

  it("charts and tabulates the web scenario's time to first response and proxied GETs", () => {
    const web = parse(
      renderReport(groupRuns([makeWebRecord("eks-ec2", [1500, 2500], [4, 6, 8]), makeRecord("plain", [10])])),
    );
    for (const chart of ["first-response", "proxied"]) {
      const labels = web.querySelectorAll(`figure[data-chart="${chart}"] g[data-label]`);
      expect(labels.map((group) => group.getAttribute("data-label"))).toEqual(["eks-ec2"]);
    }
    const table = web
      .querySelectorAll("table")
      .find((candidate) => candidate.text.includes("first response p50"));
    const row = table?.querySelectorAll("tbody tr td").map((cell) => cell.text);
    // Two apps: p50 1.5 s, p99 and max 2.5 s; six GETs: p50 6 ms, max 8 ms.
    expect(row).toEqual([
      "eks-ec2",
      "2",
      "1.500",
      "2.500",
      "2.500",
      "2.500",
      "6",
      "0.006",
      "0.008",
      "0.008",
      "0.008",
    ]);
    expect(web.querySelector("pre")?.text ?? "").toContain("eks-ec2: time to first response through the Hub");
  });

  it("draws no web charts for runs without an app", () => {
    expect(page.querySelectorAll('figure[data-chart="first-response"]')).toHaveLength(0);
  });

  it("tells repeated labels apart within a group", () => {
    const groups = groupRuns([makeRecord("a", [1]), makeRecord("a", [2])]);
    expect(groups[0]?.runs.map((run) => run.label)).toEqual(["a", "a (2)"]);
  });
});

describe("ecdfPath", () => {
  it("steps up by 1/n at each sorted value", () => {
    const toX = (ms: number): number => ms;
    const d = ecdfPath([30, 10, 20], toX);
    expect(d.startsWith("M10.0,")).toBe(true);
    expect(d.match(/H/g)).toHaveLength(3);
    expect(ecdfPath([], toX)).toBe("");
  });
});

describe("hub-bench report", () => {
  let workDir: string;
  beforeEach(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), "hub-bench-report-"));
  });
  afterEach(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  it("writes one HTML page from --json files", async () => {
    const files = await Promise.all(
      ["local", "eks-ec2"].map(async (label) => {
        const file = path.join(workDir, `${label}.json`);
        await writeFile(file, JSON.stringify(makeRecord(label, [100, 200])));
        return file;
      }),
    );
    const out = path.join(workDir, "report.html");
    const run = await cli(["report", ...files, "--out", out]);
    expect(run.code).toBe(EXIT.ok);
    const page = parse(await readFile(out, "utf8"));
    expect(page.querySelectorAll('figure[data-chart="creation"] path[data-series]')).toHaveLength(2);
  });

  it("refuses a file that is not a run, in one line", async () => {
    const file = path.join(workDir, "other.json");
    await writeFile(file, JSON.stringify({ format: 2 }));
    const run = await cli(["report", file, "--out", path.join(workDir, "r.html")]);
    expect(run.code).toBe(EXIT.usage);
    expect(oneLine(run.stderr)).toContain("is not a hub-bench run file (format 1)");
  });

  it("refuses a file that only looks like a run, naming the first missing field, in one line", async () => {
    const file = path.join(workDir, "hollow.json");
    await writeFile(file, JSON.stringify({ format: 1, samples: [], summary: {} }));
    const run = await cli(["report", file, "--out", path.join(workDir, "r.html")]);
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/is not a hub-bench run file \(format 1\): \S+: /);
  });

  it("gives a broken JSON file's parse error on one line", async () => {
    const file = path.join(workDir, "broken.json");
    await writeFile(file, '{"format": 1,\n  "samples": [}\n');
    const run = await cli(["report", file, "--out", path.join(workDir, "r.html")]);
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toContain("cannot be read as JSON");
  });
});
