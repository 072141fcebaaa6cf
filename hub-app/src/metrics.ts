import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Orchestrator } from "./orchestrator/types.js";
import { cachedSnapshot } from "./snapshot.js";

// Seconds; spans a warm local sandbox (ms) to a cold Fargate task from a large image (the original study saw 160 s on EKS Fargate).
const CREATE_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const RUN_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 600];
const STATUSES = ["pending", "running", "failed", "terminating"] as const;
// A scrape never lists the orchestrator (a LIST against the API server, every meta.json locally) more often than this.
const CENSUS_MAX_AGE_MS = 5000;

export interface HubMetrics {
  readonly registry: Registry;
  readonly createSeconds: Histogram<"outcome">;
  readonly runSeconds: Histogram<"outcome">;
  readonly errors: Counter<"code">;
  readonly reaped: Counter;
}

/** A registry per app, so two Hubs in one process (tests, embedded) never share counts. */
export function createMetrics(
  orchestrator: Orchestrator,
  onCensusError: (error: unknown) => void = () => undefined,
): HubMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const census = cachedSnapshot(() => orchestrator.list(), CENSUS_MAX_AGE_MS, onCensusError);
  new Gauge({
    name: "hub_containers",
    help: `This Hub's containers by status, as the orchestrator listed them at most ${CENSUS_MAX_AGE_MS / 1000} s before the scrape`,
    labelNames: ["status"],
    registers: [registry],
    async collect() {
      const containers = await census();
      if (containers === undefined) return;
      const counts = new Map<string, number>(STATUSES.map((status) => [status, 0]));
      for (const container of containers)
        counts.set(container.status, (counts.get(container.status) ?? 0) + 1);
      for (const [status, count] of counts) this.set({ status }, count);
    },
  });
  return {
    registry,
    createSeconds: new Histogram({
      name: "hub_create_duration_seconds",
      help: "POST /v1/containers from request to ready (or to accepted with ?wait=false)",
      labelNames: ["outcome"],
      buckets: CREATE_BUCKETS,
      registers: [registry],
    }),
    runSeconds: new Histogram({
      name: "hub_run_duration_seconds",
      help: "POST /v1/containers/:id/run from request to result",
      labelNames: ["outcome"],
      buckets: RUN_BUCKETS,
      registers: [registry],
    }),
    errors: new Counter({
      name: "hub_errors_total",
      help: "Error responses by code",
      labelNames: ["code"],
      registers: [registry],
    }),
    reaped: new Counter({
      name: "hub_reaped_total",
      help: "Containers deleted by the reaper after expiresAt",
      registers: [registry],
    }),
  };
}

/** The create queue's state at scrape time (from memory: no orchestrator call). */
export function registerAdmissionGauges(
  metrics: HubMetrics,
  creates: { readonly inFlight: number; readonly queued: number },
): void {
  new Gauge({
    name: "hub_creates_in_flight",
    help: "Creates the orchestrator is working on now (at most HUB_CREATE_CONCURRENCY)",
    registers: [metrics.registry],
    collect() {
      this.set(creates.inFlight);
    },
  });
  new Gauge({
    name: "hub_creates_waiting",
    help: "Creates waiting for a slot (at most HUB_CREATE_QUEUE; beyond it 429)",
    registers: [metrics.registry],
    collect() {
      this.set(creates.queued);
    },
  });
}
