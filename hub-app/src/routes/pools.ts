import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { errorSchema, poolListSchema } from "../schemas.js";
import type { WarmPools } from "../services/pools/index.js";
import { requireBearerToken } from "./authenticated.js";

/** `GET /v1/pools`: each warm pool's shape, size, ready and starting members, claims and misses. */
export function poolRoutes(parent: FastifyInstance, options: { pools: WarmPools; token: string }): void {
  void parent.register((app, _opts, done) => {
    requireBearerToken(app, options.token);
    app.withTypeProvider<ZodTypeProvider>().get(
      "/v1/pools",
      {
        schema: {
          summary: "Warm pools: ready members handed out by creates of their shape",
          security: [{ bearer: [] }],
          response: { 200: poolListSchema, 401: errorSchema },
        },
      },
      () => ({ items: options.pools.status() }),
    );
    done();
  });
}
