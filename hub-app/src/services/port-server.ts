import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerOptions,
  type ServerResponse,
} from "node:http";
import type { Duplex } from "node:stream";
import type { FastifyServerFactory, FastifyServerFactoryHandler } from "fastify";
import type { PortProxy } from "./port-proxy.js";

/**
 * The Hub's HTTP server: requests for a port URL go to the proxy before fastify sees them (no body
 * parsing, no body limit, no API hooks: the app's traffic streams as it is); everything else is
 * the API. WebSocket handshakes exist only for port URLs.
 */
export function serverWithPortProxy(proxy: PortProxy): FastifyServerFactory {
  return (handler: FastifyServerFactoryHandler, options): Server => {
    // fastify's `http` option (headersTimeout and its checking interval) is what it would pass to createServer.
    const http = (options as { http?: ServerOptions | null }).http ?? {};
    const server = createServer(http, (req: IncomingMessage, res: ServerResponse) => {
      const address = proxy.addressOf(req);
      if (address === undefined) handler(req, res);
      else proxy.web(req, res, address);
    });
    server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const address = proxy.addressOf(req);
      if (address !== undefined) proxy.upgrade(req, socket, head, address);
      // Not a port URL: the API has no upgrades, unless a plugin listens for its own.
      else if (server.listenerCount("upgrade") === 1) socket.destroy();
    });
    // What fastify sets on a server it creates itself (fastify lib/server.js), so its options keep their meaning.
    server.keepAliveTimeout = numberOption(options, "keepAliveTimeout", 72_000);
    server.requestTimeout = numberOption(options, "requestTimeout", 0);
    server.setTimeout(numberOption(options, "connectionTimeout", 0));
    const maxRequestsPerSocket = numberOption(options, "maxRequestsPerSocket", 0);
    if (maxRequestsPerSocket > 0) server.maxRequestsPerSocket = maxRequestsPerSocket;
    return server;
  };
}

function numberOption(options: Record<string, unknown>, name: string, fallback: number): number {
  const value = options[name];
  return typeof value === "number" ? value : fallback;
}
