/**
 * Why a sandbox Pod did not start, in the words of whoever gave up on it: the Pod's status says
 * "Unschedulable", but only the events say whether cluster-autoscaler will add a node
 * ("TriggeredScaleUp") or cannot ("NotTriggerScaleUp: ... max node group size reached"). Read
 * only when a create fails, so the hot path costs no extra API call.
 */
import type { CoreV1Api, CoreV1Event } from "@kubernetes/client-node";

/** Enough to name the scheduler's, the autoscaler's and the kubelet's last word. */
const MAX_REASONS = 3;
const MAX_MESSAGE_CHARS = 300;

function eventMs(event: CoreV1Event): number {
  const when = event.lastTimestamp ?? event.eventTime ?? event.metadata.creationTimestamp;
  const ms = when === undefined ? Number.NaN : new Date(when).getTime();
  return Number.isNaN(ms) ? 0 : ms;
}

/** The newest Warning event of each reason, newest first, as `Reason: message` lines. */
export function warningSummary(events: readonly CoreV1Event[]): string[] {
  const newestFirst = events.filter((e) => e.type === "Warning").sort((a, b) => eventMs(b) - eventMs(a));
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const event of newestFirst) {
    const reason = event.reason ?? "Warning";
    if (seen.has(reason)) continue;
    seen.add(reason);
    lines.push(`${reason}: ${(event.message ?? "").trim().slice(0, MAX_MESSAGE_CHARS)}`);
    if (lines.length === MAX_REASONS) break;
  }
  return lines;
}

/** The Pod's warning events, summarised. */
export async function podWarnings(core: CoreV1Api, namespace: string, pod: string): Promise<string[]> {
  const list = await core.listNamespacedEvent({
    namespace,
    fieldSelector: `involvedObject.kind=Pod,involvedObject.name=${pod}`,
  });
  return warningSummary(list.items);
}

/** `message`, with the warnings it does not already say appended. */
export function withWarnings(message: string, warnings: readonly string[]): string {
  const news = warnings.filter((line) => !message.includes(line.slice(line.indexOf(": ") + 2)));
  return news.length === 0 ? message : `${message} (events: ${news.join("; ")})`;
}
