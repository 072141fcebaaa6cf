/**
 * `npm run sandboxes -- stop --stack <name> [--outputs <file>] [--timeout <seconds>]`: stops every
 * sandbox the stack's Hubs started (ECS tasks, Kubernetes pods, found by their `sandbox.hub/instance`
 * marker) and waits until they are gone, so `pulumi destroy` can delete the clusters, security groups
 * and subnets they hold. Uses the operator's AWS credentials and the stack's kubeconfig.
 */
import { parseArgs } from "node:util";
import { readStackOutputs } from "./sandboxes/stack-outputs";
import { stopTargets, type StopTarget } from "./sandboxes/targets";

const USAGE = "usage: npm run sandboxes -- stop --stack <name> [--outputs <file>] [--timeout <seconds>]";
/** ECS stops a Fargate task within its stop timeout (30 s for sandboxes) plus ENI release. */
const DEFAULT_TIMEOUT_SECONDS = 600;

class UsageError extends Error {}

function options(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { stack: { type: "string" }, outputs: { type: "string" }, timeout: { type: "string" } },
  });
  if (positionals.length !== 1 || positionals[0] !== "stop")
    throw new UsageError(`the command must be "stop"`);
  if (values.stack === undefined || values.stack === "") throw new UsageError("--stack <name> is required");
  const timeout = Number(values.timeout ?? DEFAULT_TIMEOUT_SECONDS);
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > 3600) {
    throw new UsageError(`--timeout must be whole seconds from 1 to 3600, got "${values.timeout}"`);
  }
  return { stack: values.stack, outputs: values.outputs, timeoutSeconds: timeout };
}

/** The SDKs load only once there is something to stop: a usage error answers at once. */
async function stop(target: StopTarget, deadline: number): Promise<string> {
  if (target.kind === "ecs") {
    const { ECSClient } = await import("@aws-sdk/client-ecs");
    const { stopEcsSandboxes } = await import("./sandboxes/ecs");
    // Adaptive retries pace a burst of StopTask calls under ECS's rate limits.
    const ecs = new ECSClient({ region: target.region, retryMode: "adaptive", maxAttempts: 10 });
    try {
      const { stopped } = await stopEcsSandboxes(ecs, target, { deadline });
      return `ECS cluster ${target.cluster}: ${stopped} sandbox task(s) of Hub "${target.instance}" stopped`;
    } finally {
      ecs.destroy();
    }
  }
  const { CoreV1Api, KubeConfig } = await import("@kubernetes/client-node");
  const { stopKubernetesSandboxes } = await import("./sandboxes/kubernetes");
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(target.kubeconfig);
  const { stopped } = await stopKubernetesSandboxes(kubeConfig.makeApiClient(CoreV1Api), target, {
    deadline,
  });
  return `Kubernetes namespace ${target.namespace}: ${stopped} sandbox pod(s) of Hub "${target.instance}" deleted`;
}

async function main(argv: string[]): Promise<void> {
  const { stack, outputs, timeoutSeconds } = options(argv);
  const targets = stopTargets(await readStackOutputs(stack, outputs));
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (const line of await Promise.all(targets.map((target) => stop(target, deadline)))) {
    process.stdout.write(`${line}\n`);
  }
  process.stdout.write(`stack ${stack}: no sandbox left; \`pulumi destroy -s ${stack}\` can run now\n`);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    const usage = error instanceof UsageError;
    process.stderr.write(`sandboxes: ${(error as Error).message}${usage ? `\n${USAGE}` : ""}\n`);
    process.exit(usage ? 2 : 1);
  },
);
