/**
 * Command lines of the control plane's components, as kubeadm would configure them on one machine
 * (Kubernetes docs, "kube-apiserver", "kube-controller-manager", "kube-scheduler" command-line
 * references; etcd docs, "Configuration flags"), on 127.0.0.1 only.
 */
import { join } from "node:path";
import type { CertPair, Pki } from "./pki";

export interface Ports {
  readonly etcdClient: number;
  readonly etcdPeer: number;
  readonly apiserver: number;
  readonly controllerManager: number;
  readonly scheduler: number;
  readonly kwok: number;
  /** Every fake node's kubelet endpoint: where the API server sends exec. */
  readonly kubelet: number;
}

export interface Certs {
  readonly etcdServer: CertPair;
  readonly apiserver: CertPair;
  readonly apiserverEtcdClient: CertPair;
  readonly apiserverKubeletClient: CertPair;
  readonly kubeletServing: CertPair;
}

export interface ExecIdentity {
  /** When the cluster runs as root, exec'd commands run as the sandbox Pod's uid (pod-spec.ts: 1000). */
  readonly uid?: number;
  readonly gid?: number;
}

/** The Service range kubeadm defaults to; only bookkeeping here, nothing routes it. */
export const SERVICE_CIDR = "10.96.0.0/16";
export const SERVICE_IP = "10.96.0.1";
export const SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local";
/** Pod addresses kwok hands out: loopback, so anything that dials a sandbox's IP stays on this machine. */
export const POD_CIDR = "127.64.0.0/16";

const LOCAL = "127.0.0.1";

export function etcdArgs(dir: string, pki: Pki, certs: Certs, ports: Ports): string[] {
  const client = `https://${LOCAL}:${ports.etcdClient}`;
  const peer = `https://${LOCAL}:${ports.etcdPeer}`;
  const { cert, key } = certs.etcdServer;
  return [
    "--name=k8s-env",
    `--data-dir=${join(dir, "etcd")}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=k8s-env=${peer}`,
    `--cert-file=${cert}`,
    `--key-file=${key}`,
    `--trusted-ca-file=${pki.caCert}`,
    "--client-cert-auth=true",
    `--peer-cert-file=${cert}`,
    `--peer-key-file=${key}`,
    `--peer-trusted-ca-file=${pki.caCert}`,
    "--peer-client-cert-auth=true",
    // A throwaway test cluster: durability is not worth an fsync per write on a shared CI disk.
    "--unsafe-no-fsync=true",
    "--log-level=warn",
  ];
}

export function apiserverArgs(dir: string, pki: Pki, certs: Certs, ports: Ports): string[] {
  return [
    `--advertise-address=${LOCAL}`,
    `--bind-address=${LOCAL}`,
    `--secure-port=${ports.apiserver}`,
    `--cert-dir=${join(dir, "apiserver")}`,
    `--etcd-servers=https://${LOCAL}:${ports.etcdClient}`,
    `--etcd-cafile=${pki.caCert}`,
    `--etcd-certfile=${certs.apiserverEtcdClient.cert}`,
    `--etcd-keyfile=${certs.apiserverEtcdClient.key}`,
    `--tls-cert-file=${certs.apiserver.cert}`,
    `--tls-private-key-file=${certs.apiserver.key}`,
    `--client-ca-file=${pki.caCert}`,
    `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
    `--service-account-key-file=${pki.serviceAccountPub}`,
    `--service-account-signing-key-file=${pki.serviceAccountKey}`,
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    // EKS's modes and admission: Node + RBAC; the default plugins include PodSecurity, LimitRanger, ResourceQuota.
    "--authorization-mode=Node,RBAC",
    "--enable-admission-plugins=NodeRestriction",
    // Privileged pods must be refused by Pod Security admission, as on EKS, not by this switch.
    "--allow-privileged=true",
    `--kubelet-client-certificate=${certs.apiserverKubeletClient.cert}`,
    `--kubelet-client-key=${certs.apiserverKubeletClient.key}`,
    `--kubelet-certificate-authority=${pki.caCert}`,
    "--kubelet-preferred-address-types=InternalIP",
    // The `kubernetes` Service's endpoint would be 127.0.0.1, which Endpoints validation refuses (loopback).
    "--endpoint-reconciler-type=none",
    "--profiling=false",
  ];
}

/** Flags both the controller manager and the scheduler take. */
function componentArgs(dir: string, name: string, kubeconfig: string, port: number): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    `--bind-address=${LOCAL}`,
    `--secure-port=${port}`,
    `--cert-dir=${join(dir, name)}`,
    // One replica: nothing to elect, and a restart need not wait out a dead leader's lease.
    "--leader-elect=false",
    "--profiling=false",
  ];
}

export function controllerManagerArgs(dir: string, pki: Pki, kubeconfig: string, ports: Ports): string[] {
  return [
    ...componentArgs(dir, "kube-controller-manager", kubeconfig, ports.controllerManager),
    "--use-service-account-credentials=true",
    `--service-account-private-key-file=${pki.serviceAccountKey}`,
    `--root-ca-file=${pki.caCert}`,
    "--cluster-name=k8s-env",
  ];
}

export function schedulerArgs(dir: string, kubeconfig: string, ports: Ports): string[] {
  return componentArgs(dir, "kube-scheduler", kubeconfig, ports.scheduler);
}

/** The annotation kwok's nodes carry: kwok manages those nodes and no others. */
export const KWOK_NODE_ANNOTATION = "kwok.x-k8s.io/node";

export function kwokArgs(config: string, kubeconfig: string, certs: Certs, ports: Ports): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--config=${config}`,
    "--manage-all-nodes=false",
    `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=fake`,
    // The address and port kwok writes into every node's status: the API server sends exec there.
    `--node-ip=${LOCAL}`,
    `--node-port=${ports.kubelet}`,
    // kwok's own endpoint: health and metrics only (its debugging handlers are off, kwok-config.ts).
    `--server-address=${LOCAL}:${ports.kwok}`,
    `--tls-cert-file=${certs.kubeletServing.cert}`,
    `--tls-private-key-file=${certs.kubeletServing.key}`,
    `--cidr=${POD_CIDR}`,
  ];
}

export function execKubeletArgs(
  pki: Pki,
  certs: Certs,
  ports: Ports,
  kubeconfig: string,
  identity: ExecIdentity,
): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--address=${LOCAL}:${ports.kubelet}`,
    `--tls-cert-file=${certs.kubeletServing.cert}`,
    `--tls-private-key-file=${certs.kubeletServing.key}`,
    `--client-ca-file=${pki.caCert}`,
    ...(identity.uid === undefined
      ? []
      : [`--run-as-user=${identity.uid}`, `--run-as-group=${identity.gid}`]),
  ];
}
