/**
 * Declared ports stored beside a sandbox as text (an ECS tag, a Kubernetes annotation): separated
 * by spaces, because ECS tag values allow letters, digits, spaces and `+ - = . _ : / @` only (ECS
 * TagResource API reference); commas are read too, as older Hubs wrote them.
 */
export function formatPortList(ports: readonly number[]): string {
  return ports.join(" ");
}

export function parsePortList(value: string | undefined): number[] {
  return (value ?? "")
    .split(/[\s,]+/)
    .filter((word) => /^\d{1,5}$/.test(word))
    .map(Number);
}
