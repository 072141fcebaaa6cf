/**
 * `npm run cluster -- up [--stack <name>] [--autoscaler] [--dir <path>]`: a local Kubernetes 1.34
 * control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler) with kwok's fake
 * nodes, built from the Go module proxy on first use. Prints KUBECONFIG=<path> and returns with
 * it running. `npm run cluster -- down [--dir <path>]` stops what `up` started.
 * `npm run cluster -- build` only builds the programs (CI does it before the tests).
 */
import { join } from "node:path";
import { ensureBinaries, REPO_ROOT } from "./cluster/binaries";
import { stopControlPlane } from "./cluster/control-plane";
import { KUBERNETES_STACKS, up } from "./cluster/up";

const USAGE = `usage: npm run cluster -- up [--stack ${KUBERNETES_STACKS.join("|")}] [--autoscaler] [--dir <path>]
       npm run cluster -- down [--dir <path>]
       npm run cluster -- build`;

interface Parsed {
  readonly command: string;
  readonly stack?: string;
  readonly autoscaler: boolean;
  readonly dir: string;
}

function parse(argv: readonly string[]): Parsed {
  const [command = "", ...rest] = argv;
  let stack: string | undefined;
  let dir = join(REPO_ROOT, ".cluster");
  let autoscaler = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const value = () => {
      const next = rest[++i];
      if (next === undefined || next.startsWith("--")) throw new Error(`${arg} needs a value\n${USAGE}`);
      return next;
    };
    if (arg === "--stack") stack = value();
    else if (arg === "--dir") dir = value();
    else if (arg === "--autoscaler") autoscaler = true;
    else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  if (!["up", "down", "build"].includes(command)) throw new Error(USAGE);
  return { command, stack, autoscaler, dir };
}

async function main(argv: readonly string[]): Promise<void> {
  const options = parse(argv);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (options.command === "build") {
    await ensureBinaries(log);
  } else if (options.command === "down") {
    const stopped = await stopControlPlane(options.dir);
    log(stopped.length === 0 ? `Nothing was running from ${options.dir}` : `Stopped ${stopped.join(", ")}`);
  } else {
    const info = await up({ ...options, log });
    process.stdout.write(`KUBECONFIG=${info.kubeconfig}\n`);
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`cluster failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
