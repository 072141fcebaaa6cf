/** Reaching a Hub given by URL: it must answer /healthz and accept the token, else a UsageError before anything is created. */
import { HubApiError, HubClient } from "./client.js";
import type { HubIdentity } from "./format.js";
import { UsageError } from "./options.js";

export interface ConnectedHub {
  readonly client: HubClient;
  readonly identity: HubIdentity;
  /** Closes the client's sockets (and stops an embedded Hub). */
  close(): Promise<void>;
}

const PROBE_TIMEOUT_MS = 10_000;

/** What a Hub says about itself on /healthz; fields it does not send read as "unknown". */
export function identityFrom(url: URL, health: unknown, embedded: boolean): HubIdentity {
  const fields = (health ?? {}) as { version?: unknown; orchestrator?: unknown };
  return {
    url: `${url.origin}${url.pathname}`.replace(/\/$/, ""),
    version: typeof fields.version === "string" ? fields.version : "unknown",
    orchestrator: typeof fields.orchestrator === "string" ? fields.orchestrator : "unknown",
    embedded,
  };
}

/** Probes /healthz (reachable, a Hub) and GET /v1/containers (the token is accepted). */
export async function probeHub(client: HubClient, embedded: boolean): Promise<HubIdentity> {
  const where = `the Hub at ${client.baseUrl.origin}${client.baseUrl.pathname}`;
  let health: unknown;
  try {
    health = await client.health({ timeoutMs: PROBE_TIMEOUT_MS });
  } catch (error) {
    if (error instanceof HubApiError && error.httpStatus !== undefined) {
      throw new UsageError(`${where} is not a Hub: GET /healthz answered ${error.httpStatus}`);
    }
    throw new UsageError(`cannot reach ${where}: ${(error as Error).message}`);
  }
  try {
    await client.listContainers({ timeoutMs: PROBE_TIMEOUT_MS });
  } catch (error) {
    if (error instanceof HubApiError && (error.httpStatus === 401 || error.httpStatus === 403)) {
      throw new UsageError(
        `${where} refused the token (${error.httpStatus} ${error.code}): check --token or HUB_TOKEN`,
      );
    }
    throw new UsageError(`${where} failed GET /v1/containers: ${(error as Error).message}`);
  }
  return identityFrom(
    client.baseUrl,
    { ...(await readiness(client, where)), ...(health as object | undefined) },
    embedded,
  );
}

/** GET /readyz: a Hub whose orchestrator is unreachable would fail every create, so that stops the run; no /readyz is fine. */
async function readiness(client: HubClient, where: string): Promise<object | undefined> {
  try {
    return await client.request<object | undefined>("GET", "/readyz", undefined, {
      timeoutMs: PROBE_TIMEOUT_MS,
    });
  } catch (error) {
    if (error instanceof HubApiError && error.httpStatus === 404) return undefined;
    throw new UsageError(`${where} is not ready: ${(error as Error).message}`);
  }
}

export async function connectToHub(url: string, token: string): Promise<ConnectedHub> {
  const client = new HubClient(url, token);
  try {
    const identity = await probeHub(client, false);
    return { client, identity, close: () => Promise.resolve(client.close()) };
  } catch (error) {
    client.close();
    throw error;
  }
}
