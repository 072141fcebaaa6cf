/**
 * What the cluster did during the study, seen through watches with this machine's clock (ms, where the
 * API server's timestamps have second resolution): when each node appeared and became Ready, on which
 * node each sandbox was bound, when a sandbox that had to preempt was nominated and then bound, and when
 * placeholders were evicted.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { CoreV1Api, makeInformer, type V1Node, type V1Pod } from "@kubernetes/client-node";
import { METADATA_KEY } from "../../hub-app/src/orchestrator/metadata-keys";
import { NODEPOOL_LABEL } from "./karpenter/objects";

export const SANDBOX_NAMESPACE = "sandboxes";
export const PLACEHOLDER_NAMESPACE = "overprovisioning";

export interface NodeSeen {
  readonly name: string;
  /** Epoch ms when this process first saw it (undefined: it was there before the watch). */
  readonly addedAt?: number;
  /** Epoch ms when it was first seen Ready (for a node already Ready at the start: its condition's time). */
  readyAt?: number;
  /** Made by Karpenter (it carries karpenter.sh/nodepool). */
  readonly added: boolean;
}

export interface Observations {
  readonly nodes: ReadonlyMap<string, NodeSeen>;
  /** Sandbox id -> node it was bound to. */
  readonly sandboxNodes: ReadonlyMap<string, string>;
  /**
   * Sandboxes the scheduler nominated for a node (`status.nominatedNodeName`: it preempted to make room
   * there): epoch ms when first seen nominated and, once bound, when first seen bound.
   */
  readonly nominations: ReadonlyMap<string, { readonly nominatedAt: number; boundAt?: number }>;
  /** Epoch ms of each placeholder eviction (deletion seen). */
  readonly placeholderEvictions: readonly number[];
}

const isReady = (node: V1Node): boolean =>
  node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;

export class ClusterObserver implements Observations {
  readonly nodes = new Map<string, NodeSeen>();
  readonly sandboxNodes = new Map<string, string>();
  readonly nominations = new Map<string, { readonly nominatedAt: number; boundAt?: number }>();
  readonly placeholderEvictions: number[] = [];
  private readonly evicted = new Set<string>();
  private readonly stops: (() => Promise<void>)[] = [];

  constructor(private readonly kubeConfig: KubeConfig) {}

  private onNode(node: V1Node, initial: boolean): void {
    const name = node.metadata?.name;
    if (name === undefined) return;
    let seen = this.nodes.get(name);
    if (seen === undefined) {
      seen = {
        name,
        ...(initial ? {} : { addedAt: Date.now() }),
        added: node.metadata?.labels?.[NODEPOOL_LABEL] !== undefined,
      };
      this.nodes.set(name, seen);
    }
    if (seen.readyAt === undefined && isReady(node)) {
      const since = node.status?.conditions?.find((c) => c.type === "Ready")?.lastTransitionTime;
      seen.readyAt = initial && since !== undefined ? new Date(since).getTime() : Date.now();
    }
  }

  private onSandbox(pod: V1Pod): void {
    const id = pod.metadata?.labels?.[METADATA_KEY.id];
    if (id === undefined) return;
    const node = pod.spec?.nodeName;
    if (pod.status?.nominatedNodeName && node === undefined && !this.nominations.has(id)) {
      this.nominations.set(id, { nominatedAt: Date.now() });
    }
    if (node === undefined || this.sandboxNodes.has(id)) return;
    this.sandboxNodes.set(id, node);
    const nomination = this.nominations.get(id);
    if (nomination !== undefined) nomination.boundAt = Date.now();
  }

  private onPlaceholder(pod: V1Pod): void {
    const name = pod.metadata?.name;
    if (name === undefined || pod.metadata?.deletionTimestamp === undefined || this.evicted.has(name)) return;
    this.evicted.add(name);
    this.placeholderEvictions.push(Date.now());
  }

  /** Starts the three watches; resolves once each has listed what exists. */
  async start(): Promise<void> {
    const core = this.kubeConfig.makeApiClient(CoreV1Api);
    let listed = false;
    const nodes = makeInformer(this.kubeConfig, "/api/v1/nodes", () => core.listNode());
    nodes.on("add", (node) => this.onNode(node, !listed));
    nodes.on("update", (node) => this.onNode(node, false));
    const sandboxes = makeInformer(this.kubeConfig, `/api/v1/namespaces/${SANDBOX_NAMESPACE}/pods`, () =>
      core.listNamespacedPod({ namespace: SANDBOX_NAMESPACE }),
    );
    sandboxes.on("add", (pod) => this.onSandbox(pod));
    sandboxes.on("update", (pod) => this.onSandbox(pod));
    const placeholders = makeInformer(
      this.kubeConfig,
      `/api/v1/namespaces/${PLACEHOLDER_NAMESPACE}/pods`,
      () => core.listNamespacedPod({ namespace: PLACEHOLDER_NAMESPACE }),
    );
    placeholders.on("update", (pod) => this.onPlaceholder(pod));
    placeholders.on("delete", (pod) =>
      this.onPlaceholder({
        ...pod,
        metadata: { ...pod.metadata, deletionTimestamp: pod.metadata?.deletionTimestamp ?? new Date() },
      }),
    );
    for (const informer of [nodes, sandboxes, placeholders]) {
      // An informer restarts its watch by itself after an error; the study only needs the events.
      informer.on("error", () => setTimeout(() => void informer.start().catch(() => undefined), 1000));
      await informer.start();
      this.stops.push(() => informer.stop());
      // Nodes listed at the start were there before the study; any later one was added during it.
      listed = true;
    }
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.stops.map((stop) => stop()));
  }
}
