/**
 * Server-side apply, as the Pulumi Kubernetes provider sends objects (its default since v4,
 * "Server-Side Apply" in its docs): the API server validates and admits each one for real.
 */
import { KubeConfig, KubernetesObjectApi, PatchStrategy } from "@kubernetes/client-node";
import type { KubernetesObject } from "./stack-shape";

export const FIELD_MANAGER = "k8s-env";

/** Namespaces first, so namespaced objects have somewhere to go (kubectl apply orders the same way). */
function applyOrder(object: KubernetesObject): number {
  if (object.kind === "Namespace") return 0;
  if (object.kind === "PriorityClass" || object.kind === "ClusterRole") return 1;
  return 2;
}

export interface ApplyFailure {
  readonly object: string;
  readonly message: string;
}

export function describeObject(object: KubernetesObject): string {
  const where = object.metadata.namespace === undefined ? "" : `${object.metadata.namespace}/`;
  return `${object.kind} ${where}${object.metadata.name}`;
}

/** The API server's own words from a client error (the Status body), else the error's message. */
export function apiMessage(error: unknown): string {
  const body = (error as { body?: unknown }).body;
  if (typeof body === "string") {
    try {
      const status = JSON.parse(body) as { message?: string };
      if (status.message) return status.message;
    } catch {
      return body;
    }
  }
  return error instanceof Error ? error.message : String(error);
}

/** Applies every object; returns what the API server refused, with its reason. */
export async function serverSideApply(
  kubeconfigPath: string,
  objects: readonly KubernetesObject[],
  options: { dryRun?: boolean } = {},
): Promise<ApplyFailure[]> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  const client = KubernetesObjectApi.makeApiClient(kubeConfig);
  const failures: ApplyFailure[] = [];
  const ordered = [...objects].sort((a, b) => applyOrder(a) - applyOrder(b));
  for (const object of ordered) {
    try {
      await client.patch(
        object,
        undefined,
        options.dryRun ? "All" : undefined,
        FIELD_MANAGER,
        true,
        PatchStrategy.ServerSideApply,
      );
    } catch (error) {
      failures.push({ object: describeObject(object), message: apiMessage(error) });
    }
  }
  return failures;
}
