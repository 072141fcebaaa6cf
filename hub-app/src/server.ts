import pino from "pino";
import { resolveApiToken, type ResolvedToken } from "./api-token.js";
import { buildApp } from "./app.js";
import { parseHubEnv, type HubConfig } from "./config.js";
import { HUB_CODE_DIRECTORY } from "./hub-directory.js";
import { createOrchestrator } from "./orchestrator/factory.js";

/** Starts the Hub from the environment, prints where it listens and how to get the token, and stops cleanly on a signal. */
async function main(): Promise<void> {
  let config: HubConfig;
  try {
    config = parseHubEnv(process.env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
  const logger = pino({ level: config.logLevel });
  const token = await resolveApiToken(config);
  const orchestrator = await createOrchestrator(config.orchestrator, {
    instance: config.instance,
    logger,
    codeDirectory: HUB_CODE_DIRECTORY,
  });
  const app = await buildApp({ config, orchestrator, token: token.token, logger });
  await app.listen({ host: config.host, port: config.port });

  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : config.port;
  const shownHost = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
  process.stdout.write(
    `Hub (${orchestrator.kind}) listening on http://${shownHost}:${port}  (API document: /docs)\n`,
  );
  process.stdout.write(`${tokenHint(token, config)}\n`);
  // Say at once why creates would fail (no bubblewrap, no cluster access); /readyz keeps reporting it.
  orchestrator.ping().catch((error: unknown) => {
    logger.warn(
      { err: error },
      `the ${orchestrator.kind} orchestrator is not ready: ${(error as Error).message}`,
    );
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(1); // A second signal: the operator wants out now.
    stopping = true;
    logger.info({ signal }, "shutting down; containers are kept");
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

function tokenHint(token: ResolvedToken, config: HubConfig): string {
  if (token.source === "generated") {
    return `API token (generated for this run; set HUB_API_TOKEN to choose one): ${token.token}\n  curl -H "Authorization: Bearer ${token.token}" ...`;
  }
  if (token.source === "secrets-manager")
    return `API token: the Secrets Manager secret ${config.apiTokenSecretArn ?? ""}`;
  return "API token: the value of HUB_API_TOKEN";
}

main().catch((error: unknown) => {
  process.stderr.write(`the Hub could not start: ${(error as Error).message}\n`);
  process.exit(1);
});
