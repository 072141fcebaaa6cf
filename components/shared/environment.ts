/** A Hub's environment assembled from parts (orchestrator, port URLs, warm pools), each naming its own variables. */
export function mergeEnvironments(...parts: Readonly<Record<string, string>>[]): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const part of parts) {
    for (const [name, value] of Object.entries(part)) {
      // Two parts setting one variable is a bug in the stack, not a choice to resolve silently.
      if (name in merged) throw new Error(`the Hub's environment sets ${name} twice`);
      merged[name] = value;
    }
  }
  return merged;
}
