/**
 * Reading a stack as CrossGuard hands it over: resources with their inputs (`props`), parent and, per
 * input, the resources its value came from (`propertyDependencies`), which is how a policy links a task
 * definition to its role or a node group to its launch template without knowing any ARN or id.
 */
import type { PolicyResource } from "@pulumi/policy";

export function ofType(resources: readonly PolicyResource[], ...types: string[]): PolicyResource[] {
  return resources.filter((r) => types.includes(r.type));
}

/** The resources the value of `property` came from, of the given types. */
export function linked(resource: PolicyResource, property: string, ...types: string[]): PolicyResource[] {
  const sources = resource.propertyDependencies[property] ?? [];
  return types.length === 0 ? [...sources] : sources.filter((r) => types.includes(r.type));
}

/** Resources whose `property` came from `target` (the reverse of `linked`). */
export function linking(
  resources: readonly PolicyResource[],
  target: PolicyResource,
  property: string,
  ...types: string[]
): PolicyResource[] {
  return ofType(resources, ...types).filter((r) => linked(r, property).some((s) => s.urn === target.urn));
}

/** Whether `resource` sits, at any depth, under a component of this type. */
export function isUnder(resource: PolicyResource, componentType: string): boolean {
  for (let parent = resource.parent; parent; parent = parent.parent) {
    if (parent.type === componentType) return true;
  }
  return false;
}

/**
 * Whether `resource` is created after `target`: it or a component above it depends on it (a component's
 * dependsOn holds for what the component creates, e.g. the cluster pulumi-eks makes inside eks:index:Cluster).
 */
export function waitsFor(resource: PolicyResource, target: PolicyResource): boolean {
  for (let r: PolicyResource | undefined = resource; r; r = r.parent) {
    if (r.dependencies.some((d) => d.urn === target.urn)) return true;
  }
  return false;
}

/** `type name` for messages: what a reader finds in `pulumi preview` and `npm run plan`. */
export function describe(resource: PolicyResource): string {
  return `${resource.type} "${resource.name}"`;
}

/** A value as a list: IAM and Kubernetes fields take one item or many. */
export function list<T>(value: T | readonly T[] | undefined | null): T[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? [...(value as T[])] : [value as T];
}

/** A plain-object input as entries, empty when absent. */
export function entriesOf(value: unknown): [string, unknown][] {
  return value && typeof value === "object" ? Object.entries(value) : [];
}
