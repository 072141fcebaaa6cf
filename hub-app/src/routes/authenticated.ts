import type { FastifyInstance } from "fastify";
import { bearerTokenChecker } from "../auth.js";

/** Every route registered on `app` (a plugin scope) needs `Authorization: Bearer <token>`. */
export function requireBearerToken(app: FastifyInstance, token: string): void {
  const checkToken = bearerTokenChecker(token);
  app.addHook("onRequest", (request, _reply, done) => {
    try {
      checkToken(request.headers.authorization);
      done();
    } catch (error) {
      done(error as Error);
    }
  });
}
