/** `npm run study -- cost`: the hourly cost of each stack for a declared load, and the EC2/Fargate break-even. */
import { writeFile } from "node:fs/promises";
import { checkWritableTarget } from "../../hub-app/src/bench/preflight";
import { costReport, renderCostText } from "./cost/report";
import { defaultStackShape } from "./cost/stack-shape";
import { parseStudyArgs } from "./options";

async function main(argv: readonly string[]): Promise<void> {
  const options = parseStudyArgs(argv, process.env, ".study-cluster");
  if (options.command !== "cost")
    throw new Error("this build has only `npm run study -- cost`; the cluster run lands next");
  const report = costReport(options.load, defaultStackShape());
  process.stdout.write(renderCostText(report));
  if (options.jsonPath !== undefined) {
    await checkWritableTarget("--json", options.jsonPath);
    await writeFile(options.jsonPath, JSON.stringify(report, null, 2));
    process.stderr.write(`wrote ${options.jsonPath}\n`);
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`study failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
