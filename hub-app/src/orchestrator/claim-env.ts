/** A claimed warm-pool member's env, as the orchestrators store it beside the sandbox (JSON of strings). */
export function envFromJson(text: string | undefined): Record<string, string> {
  if (text === undefined || text === "") return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return {};
    return Object.fromEntries(
      Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
    );
  } catch {
    return {};
  }
}
