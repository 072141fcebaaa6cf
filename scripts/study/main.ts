/**
 * `npm run study [-- --quick]`: the original study's central finding replayed on a real control plane
 * (scale-up wait without headroom, none with placeholders, sub-second warm claims), with a report.
 * `npm run study -- cost`: the hourly cost of each stack for a declared load, and the EC2/Fargate break-even.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { checkWritableTarget } from "../../hub-app/src/bench/preflight";
import { REPO_ROOT } from "../cluster/binaries";
import { stopControlPlane } from "../cluster/control-plane";
import { costReport, renderCostText } from "./cost/report";
import { defaultStackShape } from "./cost/stack-shape";
import { karpenterVersion } from "./karpenter/program";
import { parseStudyArgs, type StudyOptions } from "./options";
import { renderStudyHtml } from "./report/html";
import { studyResult } from "./report/result";
import { renderStudyText } from "./report/text";
import { runStudy } from "./run";

const log = (line: string) => process.stderr.write(`${line}\n`);

async function study(options: StudyOptions): Promise<void> {
  if (options.jsonPath !== undefined) await checkWritableTarget("--json", options.jsonPath);
  await checkWritableTarget("--out", options.reportPath);
  const shape = defaultStackShape();
  const cost = costReport(options.load, shape);
  const stop = () => {
    log(`Stopping the study cluster in ${options.dir}`);
    void stopControlPlane(options.dir).finally(() => process.exit(130));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const started = Date.now();
  try {
    const { cells, notRun } = await runStudy({
      dir: options.dir,
      cells: options.cells,
      nodeProvisioningSeconds: options.nodeProvisioningSeconds,
      sandbox: shape.sandbox,
      log,
    });
    const result = studyResult(cells, notRun, {
      nodeProvisioningSeconds: options.nodeProvisioningSeconds,
      autoscaler: `Karpenter ${karpenterVersion()} (kwok provider)`,
      cost,
    });
    process.stdout.write(renderStudyText(result));
    if (options.jsonPath !== undefined) {
      await writeFile(options.jsonPath, JSON.stringify(result, null, 2));
      log(`wrote ${options.jsonPath}`);
    }
    await writeFile(options.reportPath, renderStudyHtml(result));
    log(`wrote ${options.reportPath} (${Math.round((Date.now() - started) / 1000)} s)`);
  } finally {
    await stopControlPlane(options.dir);
  }
}

async function main(argv: readonly string[]): Promise<void> {
  const options = parseStudyArgs(argv, process.env, join(REPO_ROOT, ".study-cluster"));
  if (options.command === "run") return study(options);
  const report = costReport(options.load, defaultStackShape());
  process.stdout.write(renderCostText(report));
  if (options.jsonPath !== undefined) {
    await checkWritableTarget("--json", options.jsonPath);
    await writeFile(options.jsonPath, JSON.stringify(report, null, 2));
    log(`wrote ${options.jsonPath}`);
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`study failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
