import type { ServerResponse } from "node:http";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { HubLimits } from "../config.js";
import type { ContainerService } from "../services/containers.js";
import type { PortUrlService } from "../services/port-urls.js";
import {
  containerIdParams,
  containerInfoSchema,
  containerListSchema,
  createContainerBody,
  createdContainerSchema,
  extendContainerBody,
  createContainerQuery,
  errorSchema,
  portUrlBody,
  portUrlParams,
  portUrlSchema,
  runBody,
  runResultSchema,
  writeFilesBody,
} from "../schemas.js";
import type { HubError } from "../errors.js";
import { bodyDeadline } from "./body-deadline.js";
import { requireBearerToken } from "./authenticated.js";
import { decodeFiles } from "./decode-files.js";
import { containerListJson } from "./container-list-json.js";

export interface ContainerRoutesOptions {
  readonly limits: HubLimits;
  /** Time to receive a whole /v1 request, body included (HUB_REQUEST_TIMEOUT_MS). */
  readonly requestTimeoutMs: number;
  readonly onRequestTimeout: (error: HubError) => void;
  readonly containers: ContainerService;
  readonly portUrls: PortUrlService;
  readonly token: string;
}

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

/** Aborts when the client disconnects before its answer is sent: its queued create then gives up its place. */
function clientGone(response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  response.once("close", () => {
    if (!response.writableFinished) controller.abort();
  });
  return controller.signal;
}

/** The `/v1` API; every route needs the bearer token. */
export function containerRoutes(parent: FastifyInstance, options: ContainerRoutesOptions): void {
  const { limits, containers } = options;
  const security = [{ bearer: [] }];

  void parent.register((app, _opts, done) => {
    bodyDeadline(app, options.requestTimeoutMs, options.onRequestTimeout);
    requireBearerToken(app, options.token);
    const api = app.withTypeProvider<ZodTypeProvider>();

    api.post(
      "/v1/containers",
      {
        schema: {
          summary: "Create a container; waits until it is ready unless ?wait=false",
          security,
          querystring: createContainerQuery,
          body: createContainerBody(limits, containers.placements),
          response: { 201: createdContainerSchema, ...errors },
        },
      },
      async (request, reply) => {
        const info = await containers.create(request.body, {
          wait: request.query.wait === "true",
          log: request.log,
          signal: clientGone(reply.raw),
        });
        return reply.code(201).send(info);
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
      async (_request, reply) =>
        reply
          .type("application/json; charset=utf-8")
          .serializer(containerListJson)
          .send({ items: await containers.list() }),
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
      async (request) => containers.get(request.params.id),
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
        const info = await containers.extend(request.params.id, request.body.ttlSeconds);
        request.log.info({ id: info.id, expiresAt: info.expiresAt }, "container extended");
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
        await containers.delete(request.params.id);
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
        await containers.writeFiles(request.params.id, decodeFiles(request.body.files, limits.filesMaxBytes));
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
      async (request) => containers.run(request.params.id, request.body),
    );

    api.post(
      "/v1/containers/:id/ports/:port/url",
      {
        schema: {
          summary: "A URL that opens a declared port of the container in a plain browser, until expiresAt",
          security,
          params: portUrlParams,
          body: portUrlBody(limits),
          response: { 201: portUrlSchema, ...errors },
        },
      },
      async (request, reply) => {
        const { id, port } = request.params;
        const origin = `${request.protocol}://${request.host}`;
        const minted = await options.portUrls.mint(id, port, request.body?.ttlSeconds, origin);
        request.log.info({ id, port, expiresAt: minted.expiresAt }, "port URL minted");
        return reply.code(201).send(minted);
      },
    );
    done();
  });
}
