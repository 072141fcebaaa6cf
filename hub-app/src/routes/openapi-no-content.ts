import type { SwaggerTransformObject } from "@fastify/swagger";

/**
 * A 204 has no body (RFC 9110, section 15.3.5), so its response in the OpenAPI document has no
 * `content`: the zod schema that keeps fastify from serializing one would otherwise be documented
 * as a JSON body that never comes.
 */
export const dropNoContentBodies: SwaggerTransformObject = (document) => {
  if (!("openapiObject" in document)) return document.swaggerObject;
  const openapi = document.openapiObject;
  for (const operations of Object.values(openapi.paths ?? {})) {
    for (const operation of Object.values(operations ?? {})) {
      const responses = (operation as { responses?: Record<string, { content?: unknown }> }).responses;
      if (responses?.["204"] !== undefined) delete responses["204"].content;
    }
  }
  return openapi;
};
