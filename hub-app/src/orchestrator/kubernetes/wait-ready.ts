import type { V1Pod } from "@kubernetes/client-node";
import { HubError, notFound } from "../../errors.js";
import { markReady } from "../ready-now.js";
import type { ContainerInfo } from "../types.js";
import type { PodWatcher } from "./pod-watcher.js";

/** Timers may fire a little early against the wall clock an unschedulable deadline is measured on. */
const RECHECK_MARGIN_MS = 10;

export interface ReadyWait {
  readonly id: string;
  readonly timeoutMs: number;
  readonly unschedulableDeadlineMs: number;
  readonly watcher: PodWatcher;
  readonly now: () => number;
  /** The Pod as the API server has it now; undefined when there is none of this Hub's. */
  readonly readPod: (id: string) => Promise<V1Pod | undefined>;
  /** How a Pod reads back; undefined when it is not this Hub's sandbox. */
  readonly infoOf: (pod: V1Pod) => ContainerInfo | undefined;
  /** The message with the Pod's warning events added (why it cannot be scheduled or pulled). */
  readonly explained: (id: string, message: string) => Promise<string>;
}

/**
 * Resolves when the sandbox Pod is ready for commands; rejects at once when it cannot start
 * (a kubelet fatal reason, deleted, unschedulable past its deadline) and at the timeout. The
 * shared watch does the waiting; one read closes the gap before the watch's first event.
 */
export function waitForReadyPod(wait: ReadyWait): Promise<ContainerInfo> {
  const { id, now } = wait;
  const deadline = now() + wait.timeoutMs;
  return new Promise<ContainerInfo>((resolve, reject) => {
    const timers: NodeJS.Timeout[] = [];
    let settled = false;
    let recheckArmed = false;
    let latest: V1Pod | undefined;
    let watched = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      unsubscribe();
      for (const timer of timers) clearTimeout(timer);
      outcome();
    };
    const rejectExplained = (code: "container_failed" | "timeout", message: string) =>
      void wait.explained(id, message).then((explained) => reject(new HubError(code, explained)));

    const judge = (pod: V1Pod) => {
      latest = pod;
      const info = wait.infoOf(pod);
      if (info === undefined) return finish(() => reject(notFound(id)));
      if (info.status === "running") return finish(() => resolve(markReady(info, now())));
      if (info.status === "failed") {
        return finish(() =>
          rejectExplained(
            "container_failed",
            `sandbox ${id} cannot start: ${info.message ?? "no reason given"}`,
          ),
        );
      }
      if (info.status === "terminating") {
        return finish(() =>
          reject(
            new HubError("container_failed", `sandbox ${id} is being deleted and will not become ready`),
          ),
        );
      }
      if (!recheckArmed && info.message?.startsWith("Unschedulable") === true) {
        // An unschedulable pod produces no more events: judge it again when its deadline has passed.
        recheckArmed = true;
        const due = Date.parse(info.createdAt) + wait.unschedulableDeadlineMs - now();
        const recheck = () => {
          recheckArmed = false;
          if (latest !== undefined) judge(latest);
        };
        timers.push(setTimeout(recheck, Math.max(0, due) + RECHECK_MARGIN_MS));
      }
    };

    const unsubscribe = wait.watcher.subscribe(id, (pod) => {
      watched = true;
      judge(pod);
    });
    const onTimeout = () =>
      finish(() => {
        const waiting = latest === undefined ? undefined : wait.infoOf(latest)?.message;
        const reason = waiting ? ` (${waiting})` : "";
        rejectExplained(
          "timeout",
          `sandbox ${id} was not ready for commands within ${wait.timeoutMs} ms${reason}`,
        );
      });
    timers.push(setTimeout(onTimeout, Math.max(0, deadline - now())));
    // The watch may have started before the pod changed; one read closes that gap. Once the watch has
    // spoken it is newer than a read that was in flight, so a late read must not replace what it said.
    wait.readPod(id).then(
      (pod) => {
        if (pod === undefined) finish(() => reject(notFound(id)));
        else if (!watched) judge(pod);
      },
      (error: unknown) => finish(() => reject(error instanceof Error ? error : new Error(String(error)))),
    );
  });
}
