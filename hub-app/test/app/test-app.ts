import type { FastifyInstance } from "fastify";
import pino from "pino";
import { buildApp } from "../../src/app.js";
import { parseHubEnv } from "../../src/config.js";
import { FakeOrchestrator } from "./fake-orchestrator.js";

export const TOKEN = "test-token-0123456789abcdef";
export const auth = { authorization: `Bearer ${TOKEN}` };

/** An app over the test fake, with small limits so limit tests stay small. */
export async function fakeHub(
  env: Record<string, string> = {},
): Promise<{ app: FastifyInstance; fake: FakeOrchestrator }> {
  const fake = new FakeOrchestrator();
  const config = parseHubEnv({
    HUB_API_TOKEN: TOKEN,
    HUB_BODY_LIMIT_BYTES: "4096",
    HUB_FILES_MAX_COUNT: "3",
    HUB_FILES_MAX_BYTES: "10",
    ...env,
  });
  const app = await buildApp({ config, orchestrator: fake, logger: pino({ level: "silent" }) });
  return { app, fake };
}
