/**
 * Renders recorded resources as an indented tree for reviewers without cloud access.
 * Values only AWS would know (mock ids and ARNs) are shown as <computed>.
 */
import type { RecordedResource } from "../test/harness/mocks";

export interface PlanOptions {
  /** Print every input in full rather than a summary. */
  readonly full: boolean;
}

const COMPUTED = "<computed>";
const MAX_VALUE_CHARS = 160;

export function renderPlan(resources: readonly RecordedResource[], options: PlanOptions): string {
  const shown = resources.filter((r) => !r.type.startsWith("pulumi:providers:"));
  const children = new Map<string | undefined, RecordedResource[]>();
  const known = new Set(shown.map((r) => r.urn));
  for (const resource of shown) {
    const parent = resource.parentUrn && known.has(resource.parentUrn) ? resource.parentUrn : undefined;
    children.set(parent, [...(children.get(parent) ?? []), resource]);
  }
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number): void => {
    for (const resource of children.get(parent) ?? []) {
      const indent = "  ".repeat(depth);
      const kind = resource.custom ? "" : " (component)";
      lines.push(`${indent}${resource.type}  ${resource.name}${kind}`);
      for (const line of renderInputs(resource.inputs, options)) lines.push(`${indent}    ${line}`);
      // A resource the engine has not answered for has no URN yet, so no children to show.
      if (resource.urn !== undefined) walk(resource.urn, depth + 1);
    }
  };
  walk(undefined, 0);
  const counts = countByType(shown);
  lines.push(
    "",
    `${shown.length} resources:`,
    ...counts.map(([type, n]) => `  ${String(n).padStart(3)} ${type}`),
  );
  return lines.join("\n");
}

function renderInputs(inputs: Record<string, unknown>, options: PlanOptions): string[] {
  return Object.entries(inputs)
    .filter(([key, value]) => value !== undefined && !key.startsWith("__"))
    .map(([key, value]) => {
      const text = JSON.stringify(redactComputed(value));
      const cut =
        !options.full && text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}...` : text;
      return `${key}: ${cut}`;
    });
}

/** Replaces values the mocks made up for AWS-computed attributes with a marker. */
export function redactComputed(value: unknown): unknown {
  if (typeof value === "string") return value.includes("mocked") ? COMPUTED : value;
  if (Array.isArray(value)) return value.map(redactComputed);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactComputed(v)]));
  }
  return value;
}

function countByType(resources: readonly RecordedResource[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => a[0].localeCompare(b[0]));
}
