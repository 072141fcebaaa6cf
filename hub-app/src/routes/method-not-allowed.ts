import type { FastifyInstance } from "fastify";

interface KnownRoute {
  readonly pattern: RegExp;
  readonly methods: readonly string[];
}

/** `/v1/containers/:id` as a pattern matching one concrete path (a parameter is one path segment). */
function patternOf(url: string): RegExp {
  const escaped = url
    .split("/")
    .map((segment) => (segment.startsWith(":") ? "[^/]+" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return new RegExp(`^${escaped}/?$`);
}

/**
 * The methods each path of the Hub answers, recorded as routes are added, so that a request for a
 * known path with another method is told 405 with `Allow` (RFC 9110, section 15.5.6), not 404.
 * Call before any route is registered.
 */
export function recordRoutes(app: FastifyInstance): (path: string) => string[] {
  const routes: KnownRoute[] = [];
  app.addHook("onRoute", (route) => {
    if (route.url.includes("*")) return; // a catch-all (the port proxy) answers every method itself
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    routes.push({ pattern: patternOf(route.url), methods: methods.map(String) });
  });
  return (path) => [
    ...new Set(routes.filter((route) => route.pattern.test(path)).flatMap((route) => route.methods)),
  ];
}
