/** The offline policy report: one block per violation naming the resource, the policy and the fix. */
import type { Diagnostic, PackInfo, StackResult } from "./evaluate";

/** CrossGuard's message when a policy read a value not known during a preview (@pulumi/policy server.ts). */
const NOT_RUN = /^can't run policy /;

export const isUnchecked = (d: Diagnostic): boolean => NOT_RUN.test(d.message);

/** `urn:pulumi:stack::project::parent$type::name` -> `type "name"`. */
export function resourceOf(urn: string | undefined): string {
  if (!urn) return "the stack as a whole";
  const [typePath = "", name = ""] = urn.split("::").slice(2);
  const type = typePath.split("$").pop() ?? typePath;
  return `${type} "${name}"`;
}

export interface Counts {
  readonly mandatory: number;
  readonly advisory: number;
  readonly unchecked: number;
}

export function countsOf(diagnostics: readonly Diagnostic[]): Counts {
  const checked = diagnostics.filter((d) => !isUnchecked(d));
  return {
    mandatory: checked.filter((d) => d.level === "mandatory").length,
    advisory: checked.filter((d) => d.level === "advisory").length,
    unchecked: diagnostics.length - checked.length,
  };
}

export function renderPack(pack: PackInfo): string {
  const levels = pack.policies.map((p) => p.level);
  const count = (level: string) => levels.filter((l) => l === level).length;
  return `Policy pack ${pack.name}: ${levels.length} policies (${count("mandatory")} mandatory, ${count("advisory")} advisory)`;
}

export function renderStack(result: StackResult): string {
  const lines = [
    `Stack "${result.stack}": ${result.resourceCount} resources from the offline plan (mocked AWS).`,
    "",
  ];
  const order = (d: Diagnostic) => (isUnchecked(d) ? 2 : d.level === "mandatory" ? 0 : 1);
  for (const d of [...result.diagnostics].sort((a, b) => order(a) - order(b))) {
    lines.push(
      `[${isUnchecked(d) ? "not checked" : d.level}] ${d.policy}`,
      `  resource: ${resourceOf(d.urn)}`,
    );
    for (const line of d.message.split("\n")) lines.push(`  ${line}`);
    lines.push("");
  }
  const counts = countsOf(result.diagnostics);
  lines.push(
    `${result.stack}: ${counts.mandatory} mandatory, ${counts.advisory} advisory violation(s); ` +
      `${counts.unchecked} check(s) could not run on values unknown before deployment.`,
  );
  return lines.join("\n");
}

/** The command's exit code: 1 when any stack has a mandatory violation, else 0. */
export function exitCodeOf(results: readonly StackResult[]): 0 | 1 {
  return results.some((r) => countsOf(r.diagnostics).mandatory > 0) ? 1 : 0;
}
