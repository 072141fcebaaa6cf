/**
 * The Hub the study measures: the Kubernetes orchestrator on the study cluster with the stack's own
 * Hub ServiceAccount (a bound token, as the kubelet mounts one), served in this process on 127.0.0.1.
 */
import { chownSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { pino } from "pino";
import type { ConnectedHub } from "../../hub-app/src/bench/hub-connection";
import { startLocalHub } from "../../hub-app/src/bench/local-hub";
import {
  createKubernetesOrchestrator,
  kubernetesEnvSchema,
} from "../../hub-app/src/orchestrator/kubernetes/index";
import type { ClusterInfo } from "../cluster/control-plane";
import { SANDBOX_NAMESPACE } from "./observer";

/** The stack's Hub ServiceAccount (components/kubernetes/hub-rbac.ts). */
const HUB_ACCOUNT = { namespace: "hub", name: "hub" };
const TOKEN_SECONDS = 24 * 3600;

async function hubKubeConfig(info: ClusterInfo): Promise<KubeConfig> {
  const admin = new KubeConfig();
  admin.loadFromFile(info.kubeconfig);
  const review = await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    ...HUB_ACCOUNT,
    body: { spec: { audiences: [], expirationSeconds: TOKEN_SECONDS } },
  });
  const token = review.status?.token;
  if (token === undefined)
    throw new Error(`no token for ServiceAccount ${HUB_ACCOUNT.namespace}/${HUB_ACCOUNT.name}`);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: "study", server: info.server, caFile: info.caCert, skipTLSVerify: false }],
    users: [{ name: HUB_ACCOUNT.name, token }],
    contexts: [{ name: HUB_ACCOUNT.name, cluster: "study", user: HUB_ACCOUNT.name }],
    currentContext: HUB_ACCOUNT.name,
  });
  return kubeConfig;
}

/** HUB_K8S_WORKDIR: kwok runs exec'd commands on this machine, as the sandbox uid when the cluster runs as root. */
function workspace(info: ClusterInfo): string {
  const parent = join(info.dir, "study-workspace");
  mkdirSync(parent, { recursive: true, mode: 0o755 });
  if (info.exec.uid !== undefined) chownSync(parent, info.exec.uid, info.exec.gid ?? info.exec.uid);
  return join(parent, "workspace");
}

export interface StudyHubOptions {
  /** Pods may stay Unschedulable this long while a node is added (HUB_K8S_UNSCHEDULABLE_DEADLINE_MS). */
  readonly unschedulableDeadlineMs: number;
  /** More Hub settings (HUB_WARM_POOL_SIZE for the warm-pool cells). */
  readonly env?: Readonly<Record<string, string>>;
}

export async function startStudyHub(info: ClusterInfo, options: StudyHubOptions): Promise<ConnectedHub> {
  const settings = kubernetesEnvSchema.parse({
    HUB_K8S_NAMESPACE: SANDBOX_NAMESPACE,
    HUB_K8S_WORKDIR: workspace(info),
    HUB_K8S_UNSCHEDULABLE_DEADLINE_MS: String(options.unschedulableDeadlineMs),
  });
  const instance = `study-${process.pid}`;
  const orchestrator = createKubernetesOrchestrator(
    settings,
    { instance, logger: pino({ level: "error" }, pino.destination(2)) },
    { kubeConfig: await hubKubeConfig(info) },
  );
  return startLocalHub({ env: { HUB_INSTANCE: instance, LOG_LEVEL: "error", ...options.env }, orchestrator });
}
