/**
 * `npm run plan -- <stack> [--full]`: the offline plan. Runs the real program of a stack under
 * the shared mock harness and prints the resource tree. No credentials, no Pulumi CLI.
 */
import { runStack, STACKS, type StackName } from "../test/harness/stack";
import { renderPlan } from "./plan-tree";

async function main(argv: string[]): Promise<void> {
  const args = argv.filter((a) => !a.startsWith("--"));
  const stack = args[0];
  if (args.length !== 1 || !STACKS.includes(stack as StackName)) {
    throw new Error(`usage: npm run plan -- <stack> [--full]; stack must be one of ${STACKS.join(", ")}`);
  }
  const { recorder, outputs } = await runStack(stack as StackName, { preview: true });
  process.stdout.write(
    `Plan for stack "${stack}" (offline: mocked AWS, values AWS computes shown as <computed>)\n\n`,
  );
  process.stdout.write(renderPlan(recorder.resources, { full: argv.includes("--full") }) + "\n");
  process.stdout.write(`\nOutputs: ${Object.keys(outputs).join(", ")}\n`);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`plan failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
