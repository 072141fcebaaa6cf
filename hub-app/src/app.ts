import swagger from "@fastify/swagger";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from "fastify";
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import pino, { type Logger } from "pino";
import type { HubConfig } from "./config.js";
import { createMetrics, registerAdmissionGauges } from "./metrics.js";
import type { Orchestrator } from "./orchestrator/types.js";
import { startReaper } from "./reaper.js";
import { containerRoutes } from "./routes/containers.js";
import { ContainerService } from "./services/containers.js";
import type { HubError } from "./errors.js";
import { clientErrorHandler } from "./routes/client-error.js";
import { createWarmPools } from "./services/pools/index.js";
import { poolRoutes } from "./routes/pools.js";
import { installErrorHandlers, sendRouterError } from "./routes/error-handler.js";
import { dropNoContentBodies } from "./routes/openapi-no-content.js";
import { serverOptions } from "./server-limits.js";
import { acceptEmptyJsonBodies } from "./routes/json-body.js";
import { healthRoutes } from "./routes/health.js";
import { HUB_VERSION } from "./version.js";
import { portUrlShape } from "./services/port-addresses.js";
import { portUrlKey } from "./services/port-credential.js";
import { PortProxy, type PortProxySettings } from "./services/port-proxy.js";
import { serverWithPortProxy } from "./services/port-server.js";
import { capConnectionsPerClient } from "./client-connections.js";
import { PortUrlService } from "./services/port-urls.js";

export interface BuildAppOptions {
  readonly config: HubConfig;
  readonly orchestrator: Orchestrator;
  /** The API token; default config.apiToken (resolveApiToken handles secrets and generation). */
  readonly token?: string;
  readonly logger?: Logger;
}

/** The Hub as a fastify instance, not listening (server.ts listens; tests use inject). Closing it closes the orchestrator. */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { config, orchestrator } = options;
  const token = options.token ?? config.apiToken;
  if (token === undefined) throw new Error("buildApp needs an API token (options.token or config.apiToken)");
  const logger = options.logger ?? pino({ level: config.logLevel });
  // Typed as fastify's base logger so the instance has the plain FastifyInstance type routes take.
  const fastifyLogger: FastifyBaseLogger = logger;
  const metrics = createMetrics(orchestrator, (error) =>
    logger.warn({ err: error }, "could not list containers for /metrics; the last counts stay"),
  );
  const countError = (error: HubError): void => metrics.errors.inc({ code: error.code });
  const portKey = portUrlKey(token);
  const portProxy = new PortProxy({
    orchestrator,
    apiToken: token,
    key: portKey,
    settings: portProxySettings(config),
    logger,
  });
  const app: FastifyInstance = Fastify({
    loggerInstance: fastifyLogger,
    serverFactory: serverWithPortProxy(portProxy),
    bodyLimit: config.limits.bodyLimitBytes,
    ...serverOptions(config.server),
    clientErrorHandler: clientErrorHandler(countError),
    // Errors the router raises before any handler (an over-long or malformed path) keep the Hub's error shape.
    frameworkErrors: (error, _request, reply) => sendRouterError(error, reply as FastifyReply),
  });
  app.server.maxConnections = config.server.maxConnections;
  capConnectionsPerClient(app.server, config.server.maxConnectionsPerClient, countError);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  installErrorHandlers(app, metrics, config.limits.bodyLimitBytes);
  acceptEmptyJsonBodies(app);
  await app.register(swagger, {
    openapi: {
      info: {
        title: "Sandbox Hub",
        version: HUB_VERSION,
        description: "Creates sandbox containers, writes files into them, runs commands.",
      },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    },
    transform: jsonSchemaTransform,
    transformObject: dropNoContentBodies,
  });
  healthRoutes(app, orchestrator, metrics, config.server.metricsToken ?? token);
  const pools = createWarmPools(config, orchestrator, logger, metrics.registry);
  const containers = new ContainerService({
    config,
    orchestrator,
    metrics,
    pools,
    deleted: (id) => portProxy.forget(id),
  });
  registerAdmissionGauges(metrics, containers.creates);
  const portUrls = new PortUrlService(containers, portKey, portUrlShape(config.portUrls));
  containerRoutes(app, {
    limits: config.limits,
    requestTimeoutMs: config.server.requestTimeoutMs,
    onRequestTimeout: countError,
    containers,
    portUrls,
    token,
  });
  poolRoutes(app, { pools, token });
  app.get("/docs", { schema: { hide: true } }, () => app.swagger());

  const reaper = startReaper(orchestrator, config.reaperIntervalMs, logger, (count) =>
    metrics.reaped.inc(count),
  );
  // Adopts the members a previous Hub left and keeps the pools full; with no pools, deletes leftovers once.
  pools.start();
  app.addHook("onClose", async () => {
    portProxy.close();
    await pools.stop();
    await reaper.stop();
    await orchestrator.close();
  });
  return app;
}

function portProxySettings(config: HubConfig): PortProxySettings {
  const { portUrls } = config;
  return {
    shape: portUrlShape(portUrls),
    publicProto: portUrls.publicUrl?.startsWith("https:") ? "https" : "http",
    connectTimeoutMs: portUrls.connectTimeoutMs,
    responseTimeoutMs: portUrls.responseTimeoutMs,
    maxConnectionsPerContainer: portUrls.maxConnectionsPerContainer,
  };
}
