import { containerInfoSchema } from "../schemas.js";

const CONTAINER_INFO_KEYS = Object.keys(containerInfoSchema.shape);

/**
 * The JSON of GET /v1/containers, with each container's documented fields only. The items are this
 * Hub's own ContainerInfo objects, already typed: validating them again with zod, as the route's
 * response schema otherwise does, took longer than listing a thousand containers (docs/measurements.md,
 * the Hub at the floor). Picking the schema's keys still keeps anything else off the wire.
 */
export function containerListJson(payload: { items: readonly object[] }): string {
  return `{"items":[${payload.items.map(itemJson).join(",")}]}`;
}

/**
 * Each item's JSON, kept while the item is: ContainerInfo objects are never changed, and the local
 * orchestrator hands out the same object for a running container on every list (sandbox-info.ts).
 */
const itemJsons = new WeakMap<object, string>();

function itemJson(item: object): string {
  const cached = itemJsons.get(item);
  if (cached !== undefined) return cached;
  const fields: Record<string, unknown> = {};
  for (const key of CONTAINER_INFO_KEYS) {
    const value = (item as Record<string, unknown>)[key];
    if (value !== undefined) fields[key] = value;
  }
  const json = JSON.stringify(fields);
  itemJsons.set(item, json);
  return json;
}
