import { request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import pino from "pino";
import { buildApp } from "../../src/app.js";
import { parseHubEnv } from "../../src/config.js";
import type { Orchestrator } from "../../src/orchestrator/types.js";
import { TOKEN } from "./test-app.js";

export interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly bytes: number;
}

/** One HTTP exchange with exactly these headers (fetch may not set Host); the body is read whole. */
export function exchange(
  url: string,
  options: { method?: string; headers?: OutgoingHttpHeaders; body?: Buffer | string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? "GET", headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const body = Buffer.concat(chunks);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: body.toString(),
          bytes: body.length,
        });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

/** A whole Hub listening on 127.0.0.1 over `orchestrator` (port URLs need real sockets, not inject). */
export async function listeningHub(
  orchestrator: Orchestrator,
  env: Record<string, string> = {},
): Promise<{ app: FastifyInstance; base: string }> {
  const config = parseHubEnv({ HUB_API_TOKEN: TOKEN, ...env });
  const app = await buildApp({ config, orchestrator, logger: pino({ level: "silent" }) });
  await app.listen({ host: "127.0.0.1", port: 0 });
  return { app, base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

/** The cookie a Set-Cookie header sets, as a browser sends it back (`name=value`). */
export function cookieOf(answer: Answer): string {
  const header = answer.headers["set-cookie"]?.[0];
  if (header === undefined) throw new Error(`no Set-Cookie in a ${answer.status} answer`);
  return header.split(";")[0]!;
}
