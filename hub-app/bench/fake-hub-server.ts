/**
 * The benchmark's Hub, in its own process so the load tester's CPU time is measured alone:
 * `tsx bench/fake-hub-server.ts <holdMs>` answers creates after holdMs (0: at once) and prints its URL and token.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { startFakeHub } from "../test/bench/fake-hub.js";

const holdMs = Number(process.argv[2] ?? "0");
const hub = await startFakeHub({
  onCreate: async () => {
    if (holdMs > 0) await sleep(holdMs);
    return { kind: "ready" };
  },
});
process.stdout.write(`${JSON.stringify({ url: hub.url, token: hub.token })}\n`);
process.on("SIGTERM", () => {
  void hub.close().then(() => process.exit(0));
});
