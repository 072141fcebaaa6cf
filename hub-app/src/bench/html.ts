/** Escaping for everything put into the report: labels, URLs and option values come from users. */

const ENTITIES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Safe in element text and in quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (character) => ENTITIES[character] ?? character);
}

/** A time in ms as seconds for a report cell: three decimals, "-" when nothing was measured. */
export function seconds(ms: number | null): string {
  return ms === null ? "-" : (ms / 1000).toFixed(3);
}
