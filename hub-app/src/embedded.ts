import pino from "pino";
import { resolveApiToken } from "./api-token.js";
import { buildApp } from "./app.js";
import { parseHubEnv } from "./config.js";
import { HUB_CODE_DIRECTORY } from "./hub-directory.js";
import { createOrchestrator } from "./orchestrator/factory.js";
import type { Orchestrator } from "./orchestrator/types.js";
import { HUB_VERSION } from "./version.js";

export interface EmbeddedHubOptions {
  /** Hub environment (HUB_* variables); the process environment is not read. */
  readonly env?: Record<string, string>;
  /** Use this orchestrator instead of the one the environment picks (it is closed with the Hub). */
  readonly orchestrator?: Orchestrator;
  /** Default: a free port. */
  readonly port?: number;
}

export interface EmbeddedHub {
  readonly url: string;
  readonly token: string;
  readonly version: string;
  readonly orchestrator: string;
  /** Throws the orchestrator's own reason (a HubError) when it cannot serve: /readyz only says that it cannot. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a Hub inside this process on 127.0.0.1 (the load tester's `--embedded` mode and tests). */
export async function startEmbeddedHub(options: EmbeddedHubOptions = {}): Promise<EmbeddedHub> {
  const config = parseHubEnv({
    LOG_LEVEL: "warn",
    ...options.env,
    HOST: "127.0.0.1",
    PORT: String(options.port ?? 0),
  });
  // Logs go to stderr: stdout belongs to the process embedding the Hub (the load tester's report).
  const logger = pino({ level: config.logLevel }, pino.destination(2));
  const orchestrator =
    options.orchestrator ??
    (await createOrchestrator(config.orchestrator, {
      instance: config.instance,
      logger,
      codeDirectory: HUB_CODE_DIRECTORY,
    }));
  const { token } = await resolveApiToken(config);
  const app = await buildApp({ config, orchestrator, token, logger });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : config.port;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    version: HUB_VERSION,
    orchestrator: orchestrator.kind,
    ready: () => orchestrator.ping(),
    close: () => app.close(),
  };
}
