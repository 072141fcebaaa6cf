/**
 * `npm run policy -- [stack...]`: the policy pack (policy/) against each stack's offline plan, the real
 * program under the mock harness as `npm run plan` runs it (every stack when none is named). Prints
 * every violation with its resource, policy and fix; exits 1 on any mandatory violation, 0 otherwise,
 * 2 when it could not evaluate.
 */
import { STACKS, type StackName } from "../test/harness/stack";
import { evaluatePolicyPack, POLICY_PACK_DIR } from "./policy/evaluate";
import { exitCodeOf, renderPack, renderStack } from "./policy/report";
import { recordStack, type StackRecord } from "./policy/stack-record";

/** Stack programs recorded at once: each is a Node process with the whole Pulumi SDK loaded. */
const PARALLEL_RECORDINGS = 2;

async function recordAll(stacks: readonly string[]): Promise<StackRecord[]> {
  const records: StackRecord[] = [];
  for (let i = 0; i < stacks.length; i += PARALLEL_RECORDINGS) {
    records.push(...(await Promise.all(stacks.slice(i, i + PARALLEL_RECORDINGS).map(recordStack))));
  }
  return records;
}

async function main(argv: string[]): Promise<number> {
  const unknown = argv.filter((a) => !STACKS.includes(a as StackName));
  if (unknown.length > 0) {
    throw new Error(
      `usage: npm run policy -- [stack...]; stacks are ${STACKS.join(", ")} (got ${unknown.join(", ")})`,
    );
  }
  const stacks = argv.length > 0 ? [...new Set(argv)] : [...STACKS];
  const { pack, results } = await evaluatePolicyPack(POLICY_PACK_DIR, await recordAll(stacks));
  process.stdout.write(`${renderPack(pack)}\n\n${results.map(renderStack).join("\n\n")}\n`);
  return exitCodeOf(results);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`policy check failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
