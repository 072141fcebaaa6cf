#!/usr/bin/env node
/** `npm run bench -- <spawn|report|matrix> ...`: Ctrl-C once stops and cleans up, twice stops waiting, thrice quits. */
import { EXIT, runCli } from "./program.js";

// `npm run bench` runs in hub-app/; relative paths (--files, --json, --out, report inputs) mean the
// folder the user typed the command in, which npm passes as INIT_CWD.
if (process.env.INIT_CWD !== undefined && process.env.INIT_CWD !== "") process.chdir(process.env.INIT_CWD);

const interrupt = new AbortController();
const force = new AbortController();
// SIGTERM (timeout, kill, a CI runner) and SIGHUP (a closed terminal) stop a run like Ctrl-C does, so what
// it created is deleted: with the embedded Hub gone, nothing else would ever reap those sandboxes.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    if (!interrupt.signal.aborted) interrupt.abort();
    else if (!force.signal.aborted) force.abort();
    else process.exit(EXIT.interrupted);
  });
}

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  interrupt: interrupt.signal,
  force: force.signal,
});
process.exitCode = code;
// Sockets and timers are closed by then; this only guards against a stray handle keeping the process up.
setTimeout(() => process.exit(code), 1000).unref();
