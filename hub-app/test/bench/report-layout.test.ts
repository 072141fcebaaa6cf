/**
 * The report as a person sees it: rendered by headless Chromium (Debian's `chromium`), checked for
 * what layout bugs look like — a page wider than the window, chart labels cut off at the edge.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../chromium.js";
import { groupRuns } from "../../src/bench/report-data.js";
import { renderReport } from "../../src/bench/report-html.js";
import { makeRecord, makeWarmRecord } from "./records.js";

let browser: Browser;
let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), "report-layout-"));
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await rm(workDir, { recursive: true, force: true });
});

async function open(html: string, width: number) {
  const file = path.join(workDir, `report-${width}.html`);
  await writeFile(file, html);
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  await page.goto(pathToFileURL(file).href);
  return page;
}

describe("the HTML report in a browser", () => {
  const html = renderReport(
    groupRuns([
      makeRecord("eks-ec2 (a long label for a stack)", [900, 1800, 2600, 677]),
      makeRecord("ecs-fargate", [20_000, 45_000]),
      makeRecord("local", [12, 19, 31]),
      makeWarmRecord("eks-fargate warm pool", [true, true, false], { claimMs: 90, coldMs: 95_000 }),
    ]),
  );

  it.each([1280, 1000, 800])("fits a %i px window: wide tables scroll in their own box", async (width) => {
    const page = await open(html, width);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.close();
  });

  it("keeps every axis label of every chart inside the chart", async () => {
    const page = await open(html, 1280);
    const cut = await page.evaluate(() =>
      [...document.querySelectorAll("svg")].flatMap((svg) => {
        const frame = svg.getBoundingClientRect();
        return [...svg.querySelectorAll("text")]
          .map((text) => ({ label: text.textContent ?? "", box: text.getBoundingClientRect() }))
          .filter(({ box }) => box.left < frame.left - 0.5 || box.right > frame.right + 0.5)
          .map(({ label }) => label);
      }),
    );
    expect(cut).toEqual([]);
    await page.close();
  });
});
