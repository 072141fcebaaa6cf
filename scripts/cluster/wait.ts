/** Waiting for the cluster's parts with deadlines: HTTPS health endpoints and conditions polled. */
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { setTimeout as sleep } from "node:timers/promises";
import type { CertPair } from "./pki";

export interface Tls {
  readonly caCert?: string;
  readonly client?: CertPair;
}

/** The HTTP status of GET `url`, or undefined when nothing answers. */
export function httpsStatus(url: string, tls: Tls): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: "GET",
        timeout: 2000,
        ...(tls.caCert ? { ca: readFileSync(tls.caCert) } : { rejectUnauthorized: false }),
        ...(tls.client ? { cert: readFileSync(tls.client.cert), key: readFileSync(tls.client.key) } : {}),
      },
      (res) => {
        res.resume();
        resolve(res.statusCode);
      },
    );
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(undefined));
    req.end();
  });
}

/**
 * Polls `check` until it returns true. Rejects with `what` when `deadlineMs` passes, or at once when
 * `gaveUp` says a process it depends on has exited.
 */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  options: { deadlineMs: number; gaveUp?: () => string | undefined; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + options.deadlineMs;
  for (;;) {
    const reason = options.gaveUp?.();
    if (reason !== undefined) throw new Error(`${what}: ${reason}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${options.deadlineMs / 1000} s`);
    await sleep(options.intervalMs ?? 200);
  }
}
