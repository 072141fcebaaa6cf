/**
 * One watch on this Hub's sandbox Pods, shared by every caller waiting for a Pod to become
 * ready: a class of students creating 100 sandboxes opens one watch, not 100, and nobody polls.
 *
 * The watch runs only while someone waits. It starts without a resourceVersion, so the API
 * server first replays every matching Pod as ADDED: a restart (server timeout, 410 Gone, a
 * dropped connection) can never miss a transition.
 */
import type { V1Pod, Watch } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { METADATA_KEY } from "../metadata-keys.js";

export type PodListener = (pod: V1Pod) => void;

export interface PodWatcherOptions {
  readonly namespace: string;
  readonly labelSelector: string;
  readonly logger: Logger;
  /** Waits before re-opening a watch that ended, doubling up to maxRestartDelayMs. */
  readonly restartDelayMs?: number;
  readonly maxRestartDelayMs?: number;
}

const DEFAULT_RESTART_DELAY_MS = 250;
const DEFAULT_MAX_RESTART_DELAY_MS = 5000;

export class PodWatcher {
  private readonly listeners = new Map<string, Set<PodListener>>();
  private controller: AbortController | undefined;
  private starting = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private closed = false;
  /** Which watch is current: the `done` of an aborted older one must not touch the newer one. */
  private generation = 0;

  constructor(
    private readonly watch: Watch,
    private readonly options: PodWatcherOptions,
  ) {}

  /** Calls `listener` with every version of sandbox `id`'s Pod the watch sees; returns the unsubscribe function. */
  subscribe(id: string, listener: PodListener): () => void {
    const forPod = this.listeners.get(id) ?? new Set<PodListener>();
    forPod.add(listener);
    this.listeners.set(id, forPod);
    this.ensureRunning();
    return () => {
      forPod.delete(listener);
      if (forPod.size === 0) this.listeners.delete(id);
      if (this.listeners.size === 0) this.stop();
    };
  }

  close(): void {
    this.closed = true;
    this.listeners.clear();
    this.stop();
  }

  private ensureRunning(): void {
    if (this.closed || this.controller !== undefined || this.starting || this.restartTimer !== undefined)
      return;
    this.starting = true;
    const generation = ++this.generation;
    const path = `/api/v1/namespaces/${encodeURIComponent(this.options.namespace)}/pods`;
    this.watch
      .watch(
        path,
        { labelSelector: this.options.labelSelector, allowWatchBookmarks: false },
        (phase, pod: V1Pod) => this.deliver(phase, pod),
        (error: unknown) => this.ended(generation, error),
      )
      .then((controller) => {
        if (generation === this.generation) this.starting = false;
        // The watch may have ended (done called) before it resolved; then there is nothing to keep.
        if (this.listeners.size === 0 || this.closed || generation !== this.generation) controller.abort();
        else if (!controller.signal.aborted) this.controller = controller;
      })
      .catch((error: unknown) => {
        if (generation === this.generation) this.starting = false;
        this.ended(generation, error);
      });
  }

  private deliver(phase: string, pod: V1Pod): void {
    if (phase === "ERROR") {
      // e.g. 410 Gone: the watch is over; `done` follows and restarts it.
      this.options.logger.debug({ status: pod }, "pod watch reported an error");
      return;
    }
    this.failures = 0;
    // Sandboxes are keyed by their id label: a Pod adopted into the role keeps its own name.
    const id = pod.metadata?.labels?.[METADATA_KEY.id];
    if (id === undefined) return;
    for (const listener of this.listeners.get(id) ?? []) listener(pod);
  }

  private ended(generation: number, error: unknown): void {
    if (generation !== this.generation) return;
    this.controller = undefined;
    if (this.closed || this.listeners.size === 0) return;
    if (error !== null && error !== undefined) {
      this.failures += 1;
      this.options.logger.warn({ err: error, failures: this.failures }, "pod watch failed; reopening it");
    }
    const base = this.options.restartDelayMs ?? DEFAULT_RESTART_DELAY_MS;
    const cap = this.options.maxRestartDelayMs ?? DEFAULT_MAX_RESTART_DELAY_MS;
    const delay = Math.min(cap, base * 2 ** Math.max(0, this.failures - 1));
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.ensureRunning();
    }, delay);
    this.restartTimer.unref();
  }

  private stop(): void {
    this.generation += 1;
    this.starting = false;
    if (this.restartTimer !== undefined) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const controller = this.controller;
    this.controller = undefined;
    controller?.abort();
  }
}
