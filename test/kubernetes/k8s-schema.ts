/**
 * Validates every Kubernetes object a stack records against the Kubernetes OpenAPI schema
 * (kubernetes-models), rebuilt from the inputs the program gave Pulumi.
 */
import { DaemonSet, Deployment } from "kubernetes-models/apps/v1";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { Role, RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1";
import { PriorityClass } from "kubernetes-models/scheduling.k8s.io/v1";
import { LimitRange, Namespace, ResourceQuota, Service, ServiceAccount } from "kubernetes-models/v1";
import type { Recorder } from "../harness/mocks";

type Validatable = new (data: never) => { validate(): void };

const MODELS: Record<string, Validatable> = {
  "kubernetes:core/v1:Namespace": Namespace,
  "kubernetes:core/v1:ServiceAccount": ServiceAccount,
  "kubernetes:core/v1:ServiceAccountPatch": ServiceAccount,
  "kubernetes:core/v1:LimitRange": LimitRange,
  "kubernetes:core/v1:ResourceQuota": ResourceQuota,
  "kubernetes:core/v1:Service": Service,
  "kubernetes:apps/v1:Deployment": Deployment,
  "kubernetes:apps/v1:DaemonSet": DaemonSet,
  "kubernetes:networking.k8s.io/v1:NetworkPolicy": NetworkPolicy,
  "kubernetes:policy/v1:PodDisruptionBudget": PodDisruptionBudget,
  "kubernetes:rbac.authorization.k8s.io/v1:Role": Role,
  "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": RoleBinding,
  "kubernetes:scheduling.k8s.io/v1:PriorityClass": PriorityClass,
};

/** Not Kubernetes objects: a Helm release (its chart is validated upstream). */
const NOT_OBJECTS = new Set(["kubernetes:helm.sh/v3:Release"]);

/** Validates each recorded object; returns `type name` of each, and throws naming the first invalid one. */
export function validateKubernetesObjects(recorder: Recorder): string[] {
  const objects = recorder.resources.filter(
    (r) => r.type.startsWith("kubernetes:") && !NOT_OBJECTS.has(r.type),
  );
  return objects.map((r) => {
    const Model = MODELS[r.type];
    if (!Model) throw new Error(`no kubernetes-models class for ${r.type}: add it to MODELS`);
    try {
      new Model(r.inputs as never).validate();
    } catch (error) {
      throw new Error(`${r.type} ${r.name} is not a valid Kubernetes object: ${String(error)}`);
    }
    return `${r.type} ${r.name}`;
  });
}
