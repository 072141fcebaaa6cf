import type { FastifyInstance } from "fastify";
import { bearerTokenChecker } from "../auth.js";
import { HubError } from "../errors.js";
import type { HubMetrics } from "../metrics.js";
import type { Orchestrator } from "../orchestrator/types.js";
import { HUB_VERSION } from "../version.js";

// Readiness is re-probed by load balancers every few seconds; tell other clients to wait as long.
const NOT_READY_RETRY_SECONDS = 5;

/** Probes without a token, so load balancers reach them; metrics with a bearer token (the metrics token, else the API token). */
export function healthRoutes(
  app: FastifyInstance,
  orchestrator: Orchestrator,
  metrics: HubMetrics,
  metricsToken: string,
): void {
  const checkMetricsToken = bearerTokenChecker(metricsToken);
  app.get("/healthz", { schema: { hide: true } }, () => ({ status: "ok", version: HUB_VERSION }));

  app.get("/readyz", { schema: { hide: true } }, async (request) => {
    try {
      await orchestrator.ping();
    } catch (error) {
      request.log.warn({ err: error }, "orchestrator not reachable");
      // A HubError's message is written for clients (e.g. which folder is full); anything else may hold internals.
      const why = error instanceof HubError ? `: ${error.message}` : "";
      throw new HubError(
        "orchestrator_unavailable",
        `the ${orchestrator.kind} orchestrator is not reachable${why}`,
        NOT_READY_RETRY_SECONDS,
      );
    }
    return { status: "ready", orchestrator: orchestrator.kind };
  });

  // Scrapes that arrive while one is being rendered share its text: a flood renders once per round, not
  // once per request (each render is a few ms of the one event loop that also answers /healthz).
  let rendering: Promise<string> | undefined;
  const render = (): Promise<string> =>
    (rendering ??= metrics.registry.metrics().finally(() => {
      rendering = undefined;
    }));
  app.get("/metrics", { schema: { hide: true } }, async (request, reply) => {
    checkMetricsToken(request.headers.authorization);
    const text = await render();
    return reply.type(metrics.registry.contentType).send(text);
  });
}
