import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { bearerTokenChecker } from "../auth.js";
import type { HubConfig } from "../config.js";
import { HubError, notFound } from "../errors.js";
import { isContainerId, newContainerId } from "../ids.js";
import type { HubMetrics } from "../metrics.js";
import type { ContainerSpec, FileToWrite, Orchestrator, Placement } from "../orchestrator/types.js";
import {
  containerIdParams,
  containerInfoSchema,
  containerListSchema,
  createContainerBody,
  extendContainerBody,
  createContainerQuery,
  errorSchema,
  runBody,
  runResultSchema,
  writeFilesBody,
} from "../schemas.js";

export interface ContainerRoutesOptions {
  readonly config: HubConfig;
  readonly orchestrator: Orchestrator;
  readonly metrics: HubMetrics;
  readonly token: string;
}

// Checked after whitespace is removed: one character class and no overlapping quantifiers, so linear time.
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const WHITESPACE = /\s+/g;

const noContent = { 204: z.null().describe("No content") };
const errors = {
  400: errorSchema,
  401: errorSchema,
  404: errorSchema,
  409: errorSchema,
  413: errorSchema,
  429: errorSchema,
  500: errorSchema,
  502: errorSchema,
  503: errorSchema,
  504: errorSchema,
};

/** The `/v1` API; every route needs the bearer token. */
export function containerRoutes(parent: FastifyInstance, options: ContainerRoutesOptions): void {
  const { config, orchestrator, metrics } = options;
  const limits = config.limits;
  const checkToken = bearerTokenChecker(options.token);
  const security = [{ bearer: [] }];

  void parent.register((app, _opts, done) => {
    app.addHook("onRequest", (request, _reply, done) => {
      try {
        checkToken(request.headers.authorization);
        done();
      } catch (error) {
        done(error as Error);
      }
    });
    const api = app.withTypeProvider<ZodTypeProvider>();

    api.post(
      "/v1/containers",
      {
        schema: {
          summary: "Create a container; waits until it is ready unless ?wait=false",
          security,
          querystring: createContainerQuery,
          body: createContainerBody(limits),
          response: { 201: containerInfoSchema, ...errors },
        },
      },
      async (request, reply) => {
        const started = performance.now();
        const body = request.body;
        const spec: ContainerSpec = {
          id: newContainerId(),
          image: body.image ?? config.defaultImage,
          cpu: body.cpu ?? limits.cpuDefault,
          memoryMiB: body.memory ?? limits.memoryDefaultMiB,
          placement: choosePlacement(body.placement, orchestrator.placements),
          env: body.env ?? {},
          ports: body.ports ?? [],
          ...lifetime(body.ttlSeconds ?? limits.ttlDefaultSeconds),
        };
        try {
          let info = await orchestrator.create(spec);
          if (request.query.wait === "true")
            info = await waitOrCleanUp(orchestrator, spec.id, limits.createTimeoutMs, request.log);
          metrics.createSeconds.observe({ outcome: "ok" }, (performance.now() - started) / 1000);
          request.log.info({ id: spec.id, status: info.status, timings: info.timings }, "container created");
          return await reply.code(201).send(info);
        } catch (error) {
          metrics.createSeconds.observe({ outcome: "error" }, (performance.now() - started) / 1000);
          throw error;
        }
      },
    );

    api.get(
      "/v1/containers",
      {
        schema: {
          summary: "This Hub's containers",
          security,
          response: { 200: containerListSchema, 401: errorSchema },
        },
      },
      async () => ({ items: await orchestrator.list() }),
    );

    api.get(
      "/v1/containers/:id",
      {
        schema: {
          summary: "One container",
          security,
          params: containerIdParams,
          response: { 200: containerInfoSchema, ...errors },
        },
      },
      async (request) => {
        const info = isContainerId(request.params.id) ? await orchestrator.get(request.params.id) : undefined;
        if (info === undefined) throw notFound(request.params.id);
        return info;
      },
    );

    api.patch(
      "/v1/containers/:id",
      {
        schema: {
          summary: "Keep a container alive: it now expires ttlSeconds from now",
          security,
          params: containerIdParams,
          body: extendContainerBody(limits),
          response: { 200: containerInfoSchema, ...errors },
        },
      },
      async (request) => {
        const id = knownId(request.params.id);
        const expiresAt = new Date(Date.now() + request.body.ttlSeconds * 1000);
        const info = await orchestrator.extend(id, expiresAt);
        if (info === undefined) throw notFound(id);
        request.log.info({ id, expiresAt }, "container extended");
        return info;
      },
    );

    api.delete(
      "/v1/containers/:id",
      {
        schema: {
          summary: "Delete a container (a second delete is 404)",
          security,
          params: containerIdParams,
          response: { ...noContent, ...errors },
        },
      },
      async (request, reply) => {
        const deleted = isContainerId(request.params.id) && (await orchestrator.delete(request.params.id));
        if (!deleted) throw notFound(request.params.id);
        request.log.info({ id: request.params.id }, "container deleted");
        return reply.code(204).send(null);
      },
    );

    api.put(
      "/v1/containers/:id/files",
      {
        schema: {
          summary: "Write files, paths relative to the working directory",
          security,
          params: containerIdParams,
          body: writeFilesBody(limits),
          response: { ...noContent, ...errors },
        },
      },
      async (request, reply) => {
        const id = knownId(request.params.id);
        const files = decodeFiles(request.body.files, limits.filesMaxBytes);
        await orchestrator.writeFiles(id, files);
        return reply.code(204).send(null);
      },
    );

    api.post(
      "/v1/containers/:id/run",
      {
        schema: {
          summary: "Run a command and wait for it",
          security,
          params: containerIdParams,
          body: runBody(limits),
          response: { 200: runResultSchema, ...errors },
        },
      },
      async (request) => {
        const id = knownId(request.params.id);
        const started = performance.now();
        const { command, cwd, env, timeoutMs } = request.body;
        try {
          const result = await orchestrator.run(id, {
            command,
            ...(cwd === undefined ? {} : { cwd }),
            ...(env === undefined ? {} : { env }),
            timeoutMs: timeoutMs ?? limits.runTimeoutDefaultMs,
            maxOutputBytes: limits.outputLimitBytes,
          });
          metrics.runSeconds.observe(
            { outcome: result.timedOut ? "timeout" : "ok" },
            (performance.now() - started) / 1000,
          );
          return result;
        } catch (error) {
          metrics.runSeconds.observe({ outcome: "error" }, (performance.now() - started) / 1000);
          throw error;
        }
      },
    );
    done();
  });
}

function knownId(id: string): string {
  if (!isContainerId(id)) throw notFound(id);
  return id;
}

function lifetime(ttlSeconds: number): { createdAt: Date; expiresAt: Date } {
  const createdAt = new Date();
  return { createdAt, expiresAt: new Date(createdAt.getTime() + ttlSeconds * 1000) };
}

function choosePlacement(requested: Placement | undefined, served: readonly Placement[]): Placement {
  const placement = requested ?? served[0];
  if (placement === undefined || !served.includes(placement)) {
    throw new HubError(
      "invalid_request",
      `placement must be one of ${served.join(", ")} on this Hub (got "${requested}")`,
    );
  }
  return placement;
}

/** Waits for readiness; a container that cannot start is deleted, as its id never reached the caller. */
async function waitOrCleanUp(
  orchestrator: Orchestrator,
  id: string,
  timeoutMs: number,
  log: FastifyInstance["log"],
): ReturnType<Orchestrator["waitReady"]> {
  try {
    return await orchestrator.waitReady(id, timeoutMs);
  } catch (error) {
    await orchestrator
      .delete(id)
      .catch((cleanupError: unknown) =>
        log.warn({ err: cleanupError, id }, "could not delete a container that failed to start"),
      );
    throw error;
  }
}

interface FileInput {
  readonly path: string;
  readonly content: string;
  readonly encoding: "utf8" | "base64";
  readonly mode?: number | undefined;
}

function decodeFiles(files: readonly FileInput[], maxBytes: number): FileToWrite[] {
  let total = 0;
  return files.map((file, index) => {
    if (file.encoding === "base64" && !BASE64.test(file.content.replace(WHITESPACE, ""))) {
      throw new HubError("invalid_request", `files[${index}].content is not valid base64`);
    }
    const content = Buffer.from(file.content, file.encoding);
    total += content.length;
    if (total > maxBytes) {
      throw new HubError(
        "payload_too_large",
        `files add up to more than ${maxBytes} bytes; at most ${maxBytes} bytes per call`,
      );
    }
    return { path: file.path, content, ...(file.mode === undefined ? {} : { mode: file.mode }) };
  });
}
