/**
 * The real cluster the "real-peers" test project shares (test/kubernetes/real/global-setup.ts):
 * kube-apiserver 1.34 with etcd, the scheduler and controller manager, kwok's nodes shaped like
 * the eks-ec2 stack, and that stack's objects applied. Helpers give the Hub the credentials
 * the stack gives it: a token of its ServiceAccount, bound by the stack's Role.
 */
import { randomBytes } from "node:crypto";
import { chownSync, mkdirSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { pino } from "pino";
import { inject } from "vitest";
import {
  createKubernetesOrchestrator,
  kubernetesEnvSchema,
} from "../../../src/orchestrator/kubernetes/index.js";
import type { Orchestrator } from "../../../src/orchestrator/types.js";

export interface RealCluster {
  readonly dir: string;
  readonly kubeconfig: string;
  readonly server: string;
  readonly caCert: string;
  readonly exec: { readonly uid?: number; readonly gid?: number };
  /** kwok plays this image as one that cannot be pulled. */
  readonly unpullableImage: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    k8sEnv: RealCluster;
  }
}

/** The Hub's ServiceAccount and the sandbox namespace of the stack (components/kubernetes/hub-rbac.ts). */
export const HUB_ACCOUNT = { namespace: "hub", name: "hub" };
export const SANDBOX_NAMESPACE = "sandboxes";

export const cluster = (): RealCluster => inject("k8sEnv");

export function adminKubeConfig(): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(cluster().kubeconfig);
  return kubeConfig;
}

/** A kubeconfig holding a bound token of ServiceAccount `account` (TokenRequest, as the kubelet mounts one). */
export async function serviceAccountKubeConfig(account = HUB_ACCOUNT): Promise<KubeConfig> {
  const core = adminKubeConfig().makeApiClient(CoreV1Api);
  const review = await core.createNamespacedServiceAccountToken({
    name: account.name,
    namespace: account.namespace,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const token = review.status?.token;
  if (token === undefined)
    throw new Error(`no token for ServiceAccount ${account.namespace}/${account.name}`);
  const { server, caCert } = cluster();
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: "k8s-env", server, caFile: caCert, skipTLSVerify: false }],
    users: [{ name: account.name, token }],
    contexts: [{ name: account.name, cluster: "k8s-env", user: account.name }],
    currentContext: account.name,
  });
  return kubeConfig;
}

/**
 * A folder on this machine for HUB_K8S_WORKDIR: kwok runs exec'd commands here, as the sandbox uid
 * when the cluster runs as root. Sandboxes of one orchestrator share it (no container runtime).
 */
export function hostWorkspace(): string {
  const { dir, exec } = cluster();
  const root = join(dir, "exec");
  mkdirSync(root, { recursive: true, mode: 0o755 });
  const parent = mkdtempSync(join(root, "ws-"));
  if (exec.uid !== undefined) chownSync(parent, exec.uid, exec.gid ?? exec.uid);
  return join(parent, "workspace");
}

/** Polls `check` until it is true (for hooks, where expect.poll is not allowed); throws past `timeoutMs`. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export const uniqueName = (prefix: string): string => `${prefix}-${randomBytes(4).toString("hex")}`;

export interface RealOrchestrator {
  readonly orchestrator: Orchestrator;
  readonly instance: string;
  readonly workdir: string;
}

/** The Hub's orchestrator on the real cluster with the Hub's own token; `env` overrides HUB_K8S_*. */
export async function realOrchestrator(
  env: Record<string, string> = {},
  kubeConfig?: KubeConfig,
): Promise<RealOrchestrator> {
  const workdir = hostWorkspace();
  const instance = uniqueName("hub-real");
  const settings = kubernetesEnvSchema.parse({
    HUB_K8S_NAMESPACE: SANDBOX_NAMESPACE,
    HUB_K8S_WORKDIR: workdir,
    ...env,
  });
  const orchestrator = createKubernetesOrchestrator(
    settings,
    { instance, logger: pino({ level: "silent" }) },
    { kubeConfig: kubeConfig ?? (await serviceAccountKubeConfig()) },
  );
  return { orchestrator, instance, workdir };
}
