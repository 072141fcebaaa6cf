/**
 * The Kubernetes orchestrator: each sandbox is a Pod in the sandbox namespace, labelled as this
 * Hub's; readiness comes from a shared watch; commands and files go over the exec WebSocket
 * (v5.channel.k8s.io). See orchestrator.ts.
 */
import { AuthorizationV1Api, CoreV1Api, Exec, KubeConfig, Watch } from "@kubernetes/client-node";
import type { Orchestrator, OrchestratorContext } from "../types.js";
import { KubernetesOrchestrator } from "./orchestrator.js";
import { instanceSelector } from "./pod-spec.js";
import { PodWatcher } from "./pod-watcher.js";
import type { KubernetesSettings } from "./settings.js";

export { kubernetesEnvSchema, type KubernetesSettings } from "./settings.js";
export { buildSandboxPod } from "./pod-spec.js";

/** Test seams. */
export interface KubernetesSeams {
  /** By default: KUBECONFIG or ~/.kube/config, else the in-cluster service account. */
  readonly kubeConfig?: KubeConfig;
  readonly now?: () => number;
  /** First wait before a dropped watch is reopened (doubles up to 5 s). */
  readonly watchRestartDelayMs?: number;
}

export function createKubernetesOrchestrator(
  settings: KubernetesSettings,
  context: OrchestratorContext,
  seams: KubernetesSeams = {},
): Orchestrator {
  const kubeConfig = seams.kubeConfig ?? defaultKubeConfig();
  const watcher = new PodWatcher(new Watch(kubeConfig), {
    namespace: settings.namespace,
    labelSelector: instanceSelector(context.instance),
    logger: context.logger,
    ...(seams.watchRestartDelayMs === undefined ? {} : { restartDelayMs: seams.watchRestartDelayMs }),
  });
  return new KubernetesOrchestrator(settings, context, {
    core: kubeConfig.makeApiClient(CoreV1Api),
    authorization: kubeConfig.makeApiClient(AuthorizationV1Api),
    exec: new Exec(kubeConfig),
    watcher,
    now: seams.now ?? Date.now,
  });
}

function defaultKubeConfig(): KubeConfig {
  const kubeConfig = new KubeConfig();
  // loadFromDefault reads KUBECONFIG, then ~/.kube/config, then the in-cluster service account.
  kubeConfig.loadFromDefault();
  return kubeConfig;
}
