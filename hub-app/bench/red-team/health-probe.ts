/**
 * GET /healthz every `interval` ms, one at a time, each on a new connection (as a load balancer's
 * health check connects), in a process of its own so the benchmark's 10,000 sockets never delay
 * it. Prints one JSON line per probe: {"at": epoch ms, "ms": latency, "status" | "error"}.
 *
 *   node --import tsx health-probe.ts <hub url> <interval ms>
 */
import { request } from "node:http";

const [url = "", interval = "50"] = process.argv.slice(2);
// A probe that hangs this long is reported as such; the Hub's own deadlines are shorter.
const PROBE_TIMEOUT_MS = 60_000;

function probe(): Promise<{ ms: number; status?: number; error?: string }> {
  const started = performance.now();
  const ms = (): number => performance.now() - started;
  return new Promise((resolve) => {
    const req = request(`${url}/healthz`, { agent: false, timeout: PROBE_TIMEOUT_MS }, (response) => {
      response.resume();
      response.once("end", () => resolve({ ms: ms(), status: response.statusCode ?? 0 }));
      response.once("error", (error: NodeJS.ErrnoException) =>
        resolve({ ms: ms(), error: error.code ?? error.message }),
      );
    });
    req.once("timeout", () => req.destroy(new Error("timeout")));
    req.once("error", (error: NodeJS.ErrnoException) =>
      resolve({ ms: ms(), error: error.code ?? error.message }),
    );
    req.end();
  });
}

for (;;) {
  const at = Date.now();
  process.stdout.write(`${JSON.stringify({ at, ...(await probe()) })}\n`);
  await new Promise((resolve) => setTimeout(resolve, Number(interval)));
}
