/**
 * Starts etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok on 127.0.0.1 with
 * free ports, in one folder (certificates, data, logs, pids), and waits until each is ready.
 */
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Binaries, Component } from "./binaries";
import {
  apiserverArgs,
  controllerManagerArgs,
  etcdArgs,
  execKubeletArgs,
  kwokArgs,
  schedulerArgs,
  SERVICE_IP,
  type Certs,
  type ExecIdentity,
  type Ports,
} from "./flags";
import { kwokConfig, UNPULLABLE_IMAGE } from "./kwok-config";
import { writeKubeconfig } from "./kubeconfig";
import { issueCert, makeCa, type CertPair, type Pki } from "./pki";
import { freePorts } from "./ports";
import { componentEnv, logTail, startProcess, stopAll, type Started } from "./processes";
import { httpsStatus, waitFor } from "./wait";

export interface ClusterInfo {
  readonly dir: string;
  /** cluster-admin (system:masters). */
  readonly kubeconfig: string;
  readonly server: string;
  readonly caCert: string;
  readonly ports: Ports;
  /** Where exec'd commands run and as whom (kwok runs them on this machine). */
  readonly exec: ExecIdentity;
  /** The image kwok plays as unpullable (ErrImagePull and a Warning event). */
  readonly unpullableImage: string;
}

const STATE_FILE = "cluster.json";
/** Two loaded cores start an API server in 5-20 s; a cold disk can take longer. */
const START_DEADLINE_MS = 120_000;
const ATTEMPTS = 3;

function issueAll(
  pki: Pki,
): Certs & { admin: CertPair; controllerManager: CertPair; scheduler: CertPair; kwok: CertPair } {
  const localhost = { dnsNames: ["localhost"], ips: ["127.0.0.1"] };
  return {
    etcdServer: issueCert(pki, { name: "etcd-server", commonName: "etcd", ...localhost }),
    apiserver: issueCert(pki, {
      name: "apiserver",
      commonName: "kube-apiserver",
      dnsNames: [
        "localhost",
        "kubernetes",
        "kubernetes.default",
        "kubernetes.default.svc",
        "kubernetes.default.svc.cluster.local",
      ],
      ips: ["127.0.0.1", SERVICE_IP],
    }),
    apiserverEtcdClient: issueCert(pki, {
      name: "apiserver-etcd-client",
      commonName: "kube-apiserver-etcd-client",
    }),
    apiserverKubeletClient: issueCert(pki, {
      name: "apiserver-kubelet-client",
      commonName: "kube-apiserver-kubelet-client",
    }),
    kubeletServing: issueCert(pki, { name: "kubelet-serving", commonName: "exec-kubelet", ...localhost }),
    admin: issueCert(pki, { name: "admin", commonName: "k8s-env-admin", organizations: ["system:masters"] }),
    controllerManager: issueCert(pki, {
      name: "controller-manager",
      commonName: "system:kube-controller-manager",
    }),
    scheduler: issueCert(pki, { name: "scheduler", commonName: "system:kube-scheduler" }),
    // kwok writes node and pod status for many nodes, which no built-in node identity may do.
    kwok: issueCert(pki, { name: "kwok", commonName: "kwok-controller", organizations: ["system:masters"] }),
  };
}

/** When this process is root, exec'd commands drop to the sandbox Pod's uid (hub-app pod-spec.ts: 1000). */
function execIdentity(): ExecIdentity {
  return process.getuid?.() === 0 ? { uid: 1000, gid: 1000 } : {};
}

function launcher(dir: string, binaries: Binaries, env: Record<string, string>) {
  const exits = new Map<Started, number | null>();
  const started: Started[] = [];
  const start = (name: Component, args: string[]) => {
    const { path, prefix } = binaries[name];
    const child = startProcess(dir, name, path, [...prefix, ...args], env);
    void child.exited.then((code) => exits.set(child, code));
    started.push(child);
  };
  /** The first component that has exited, with its log's tail. */
  const gaveUp = () => {
    const dead = started.find((child) => exits.has(child));
    return dead === undefined
      ? undefined
      : `${dead.name} exited; the end of ${dead.log}:\n${logTail(dead.log)}`;
  };
  return { start, gaveUp };
}

async function startOnce(
  dir: string,
  binaries: Binaries,
  stageFiles: readonly string[],
  log: (line: string) => void,
): Promise<ClusterInfo> {
  const [etcdClient, etcdPeer, apiserver, controllerManager, scheduler, kwok, kubelet] = await freePorts(7);
  const ports: Ports = {
    etcdClient: etcdClient!,
    etcdPeer: etcdPeer!,
    apiserver: apiserver!,
    controllerManager: controllerManager!,
    scheduler: scheduler!,
    kwok: kwok!,
    kubelet: kubelet!,
  };
  const pkiDir = join(dir, "pki");
  mkdirSync(pkiDir, { recursive: true, mode: 0o700 });
  const pki = makeCa(pkiDir);
  const certs = issueAll(pki);
  const server = `https://127.0.0.1:${ports.apiserver}`;
  const kubeconfigOf = (name: string, pair: CertPair) =>
    writeKubeconfig(join(dir, `${name}.kubeconfig`), server, pki.caCert, name, { clientCert: pair });
  const kubeconfig = kubeconfigOf("admin", certs.admin);
  const env = componentEnv(join(dir, "home"), { KWOK_WORKDIR: join(dir, "kwok") });
  mkdirSync(join(dir, "home"), { recursive: true });
  const { start, gaveUp } = launcher(dir, binaries, env);

  log(`Starting etcd and kube-apiserver on ${server}`);
  start("etcd", etcdArgs(dir, pki, certs, ports));
  start("kube-apiserver", apiserverArgs(dir, pki, certs, ports));
  const admin = { caCert: pki.caCert, client: certs.admin };
  await waitFor(
    "kube-apiserver /readyz",
    async () => (await httpsStatus(`${server}/readyz`, admin)) === 200,
    {
      deadlineMs: START_DEADLINE_MS,
      gaveUp,
    },
  );

  log("Starting kube-controller-manager, kube-scheduler, kwok and exec-kubelet");
  start(
    "kube-controller-manager",
    controllerManagerArgs(dir, pki, kubeconfigOf("controller-manager", certs.controllerManager), ports),
  );
  start("kube-scheduler", schedulerArgs(dir, kubeconfigOf("scheduler", certs.scheduler), ports));
  const exec = execIdentity();
  const kwokConfigPath = join(dir, "kwok.yaml");
  writeFileSync(kwokConfigPath, kwokConfig(stageFiles));
  const kwokKubeconfig = kubeconfigOf("kwok", certs.kwok);
  start("kwok", kwokArgs(kwokConfigPath, kwokKubeconfig, certs, ports));
  start("exec-kubelet", execKubeletArgs(pki, certs, ports, kwokKubeconfig, exec));
  const healthy = (url: string, tls: Parameters<typeof httpsStatus>[1]) => async () =>
    (await httpsStatus(url, tls)) === 200;
  await Promise.all([
    waitFor(
      "kube-controller-manager /healthz",
      healthy(`https://127.0.0.1:${ports.controllerManager}/healthz`, {}),
      { deadlineMs: START_DEADLINE_MS, gaveUp },
    ),
    waitFor("kube-scheduler /readyz", healthy(`https://127.0.0.1:${ports.scheduler}/readyz`, {}), {
      deadlineMs: START_DEADLINE_MS,
      gaveUp,
    }),
    waitFor("kwok /healthz", healthy(`https://127.0.0.1:${ports.kwok}/healthz`, { caCert: pki.caCert }), {
      deadlineMs: START_DEADLINE_MS,
      gaveUp,
    }),
    waitFor("exec-kubelet /healthz", healthy(`https://127.0.0.1:${ports.kubelet}/healthz`, admin), {
      deadlineMs: START_DEADLINE_MS,
      gaveUp,
    }),
  ]);
  const info: ClusterInfo = {
    dir,
    kubeconfig,
    server,
    caCert: pki.caCert,
    ports,
    exec,
    unpullableImage: UNPULLABLE_IMAGE,
  };
  writeFileSync(join(dir, STATE_FILE), JSON.stringify(info, null, 2));
  return info;
}

/** Starts the control plane in `dir`; a start that loses a port to another program is retried on new ports. */
export async function startControlPlane(
  dir: string,
  binaries: Binaries,
  stageFiles: readonly string[],
  log: (line: string) => void = console.log,
): Promise<ClusterInfo> {
  mkdirSync(dir, { recursive: true });
  // exec'd commands may run as the sandbox uid: it must be able to reach the workspaces below.
  chmodSync(dir, 0o755);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(dir, binaries, stageFiles, log);
    } catch (error) {
      await stopAll(dir);
      // etcd's data would remember the old peer address.
      rmSync(join(dir, "etcd"), { recursive: true, force: true });
      const message = error instanceof Error ? error.message : String(error);
      if (attempt >= ATTEMPTS || !/address already in use/i.test(message)) throw error;
      log(`A port was taken meanwhile; starting again on other ports (${attempt}/${ATTEMPTS - 1})`);
    }
  }
}

export function readClusterInfo(dir: string): ClusterInfo | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, STATE_FILE), "utf8")) as ClusterInfo;
  } catch {
    return undefined;
  }
}

export async function stopControlPlane(dir: string): Promise<string[]> {
  return stopAll(dir);
}
