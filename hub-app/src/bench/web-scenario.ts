/**
 * The web scenario, after a container is ready and has its files: start the app in the background,
 * mint its port URL, open the link and poll it until the app answers 200 through the Hub (time to
 * first response), then GET it WEB_REQUESTS times (proxied request latency).
 */
import { HubApiError, type HubClient } from "./client.js";
import type { Sample } from "./format.js";
import { WEB_REQUESTS, type WebAppSettings } from "./options.js";
import type { Clock } from "./scheduler.js";
import { delay } from "./settle.js";
import { startCommand } from "./web-app.js";
import type { PageProbe } from "./web-probe.js";

/** An app that is not up two minutes after its start command (a `pip install` in --start) has failed. */
export const APP_START_TIMEOUT_MS = 120_000;
/** Between polls while the Hub says nothing listens yet: 10 a second per container starting. */
const POLL_MS = 100;
const REQUEST_TIMEOUT_MS = 60_000;
/** What the Hub answers while the app is not up yet (nothing listening, not answering): worth asking again. */
const NOT_YET = new Set([502, 503, 504]);

export interface WebDeps {
  readonly client: HubClient;
  readonly probe: PageProbe;
  readonly clock: Clock;
  /** Aborted when the run gives up on requests in flight. */
  readonly giveUp: AbortSignal;
  /** Ctrl-C: stop sending the remaining GETs. */
  readonly interrupt?: AbortSignal;
  /** ms since the run's t0. */
  readonly since: () => number;
}

export async function serveAndProbe(
  deps: WebDeps,
  sample: Sample,
  id: string,
  app: WebAppSettings,
): Promise<void> {
  const { client, probe, clock, giveUp } = deps;
  const options = { timeoutMs: REQUEST_TIMEOUT_MS, signal: giveUp };
  const start = startCommand(app);
  const started = await client.run(id, start.command, options, start.env);
  if (started.exitCode !== 0) {
    throw new HubApiError(`exit_${started.exitCode}`, `the start command ended with ${started.exitCode}`);
  }
  const minted = await client.mintPortUrl(id, app.port, options);
  const link = await probe.open(minted.url, options);
  const deadline = clock.now() + APP_START_TIMEOUT_MS;
  for (;;) {
    const answer = await probe.get(link.pageUrl, link.cookie, options);
    if (answer.status === 200) break;
    if (!NOT_YET.has(answer.status)) {
      throw new HubApiError(`http_${answer.status}`, `the app answered ${answer.status}`, answer.status);
    }
    if (clock.now() > deadline) {
      throw new HubApiError(
        "app_timeout",
        `port ${app.port} did not answer 200 within ${APP_START_TIMEOUT_MS / 1000} s (last: ${answer.status}); see hub-bench-app.log in the container`,
      );
    }
    await delay(clock, POLL_MS, giveUp, "the app");
  }
  sample.firstResponseMs = deps.since();
  const times: number[] = [];
  sample.proxiedMs = times;
  for (let repeat = 0; repeat < WEB_REQUESTS && deps.interrupt?.aborted !== true; repeat += 1) {
    const sentAt = clock.now();
    const answer = await probe.get(link.pageUrl, link.cookie, options);
    if (answer.status !== 200) {
      throw new HubApiError(
        `http_${answer.status}`,
        `GET ${repeat + 1} answered ${answer.status}`,
        answer.status,
      );
    }
    times.push(clock.now() - sentAt);
  }
}
