import { randomBytes } from "node:crypto";
import type { HubConfig } from "./config.js";
import { fetchSecretString } from "./secret-token.js";

export interface ResolvedToken {
  readonly token: string;
  /** Where it came from, for the start-up message (never the token itself in logs). */
  readonly source: "environment" | "secrets-manager" | "generated";
}

/** 32 random bytes: as strong as the token an operator would generate with `openssl rand -hex 32`. */
export function generateApiToken(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * HUB_API_TOKEN wins; else the Secrets Manager secret; else (local only, config refuses it
 * elsewhere) a fresh token that the server prints.
 */
export async function resolveApiToken(
  config: Pick<HubConfig, "apiToken" | "apiTokenSecretArn">,
  fetchSecret: (arn: string) => Promise<string> = fetchSecretString,
): Promise<ResolvedToken> {
  if (config.apiToken !== undefined) return { token: config.apiToken, source: "environment" };
  if (config.apiTokenSecretArn !== undefined) {
    return { token: await fetchSecret(config.apiTokenSecretArn), source: "secrets-manager" };
  }
  return { token: generateApiToken(), source: "generated" };
}
