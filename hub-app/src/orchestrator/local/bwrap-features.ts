import { hostTool } from "./host-tools.js";
import { runProcess } from "./run-process.js";
import { HOST_TOOLS_ENV, HOST_TOOLS_PATH } from "./sandbox-args.js";

/**
 * Whether this host's bubblewrap has --disable-userns (bubblewrap 0.8.0, bwrap(1)): without it a
 * sandbox can make a user namespace of its own and be root there, with every capability over what it
 * creates inside, which opens kernel code (mounts, netfilter) a student has no use for. Read from
 * `bwrap --help` once per Hub.
 */
export async function bwrapCanDisableUserns(): Promise<boolean> {
  const result = await runProcess({
    argv: [hostTool("bwrap", HOST_TOOLS_PATH), "--help"],
    env: HOST_TOOLS_ENV,
    timeoutMs: 10_000,
    maxOutputBytes: 64 * 1024,
  });
  return result.stdout.includes("--disable-userns");
}
