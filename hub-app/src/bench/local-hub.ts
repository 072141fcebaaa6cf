/** With no --hub: a Hub on the local orchestrator (bubblewrap) started in this process on a free port. */
import { startEmbeddedHub } from "../embedded.js";
import type { Orchestrator } from "../orchestrator/types.js";
import { HubClient } from "./client.js";
import type { ConnectedHub } from "./hub-connection.js";
import { UsageError } from "./options.js";

/** The Hub's own settings (HUB_LOCAL_*, limits) pass through; the orchestrator is always local here. */
function hubEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const passed = Object.entries(env).filter(
    (entry): entry is [string, string] =>
      entry[0].startsWith("HUB_") &&
      entry[0] !== "HUB_ORCHESTRATOR" &&
      entry[0] !== "HUB_TOKEN" &&
      entry[1] !== undefined,
  );
  // The Hub logs to stderr, beside the progress bar: only errors unless asked otherwise.
  return { ...Object.fromEntries(passed), HUB_ORCHESTRATOR: "local", LOG_LEVEL: env.LOG_LEVEL ?? "error" };
}

export async function startLocalHub(
  options: { env?: NodeJS.ProcessEnv; orchestrator?: Orchestrator } = {},
): Promise<ConnectedHub> {
  const hub = await startEmbeddedHub({
    env: hubEnvironment(options.env ?? process.env),
    ...(options.orchestrator === undefined ? {} : { orchestrator: options.orchestrator }),
  });
  try {
    // A machine without bubblewrap fails here, once, with what to install, not at every create.
    await hub.ready();
  } catch (error) {
    await hub.close();
    throw new UsageError(`the embedded Hub is not ready: ${(error as Error).message}`);
  }
  const client = new HubClient(hub.url, hub.token);
  return {
    client,
    identity: { url: hub.url, version: hub.version, orchestrator: hub.orchestrator, embedded: true },
    close: async () => {
      client.close();
      await hub.close();
    },
  };
}
