import { containerInfoSchema } from "../schemas.js";

const CONTAINER_INFO_KEYS = Object.keys(containerInfoSchema.shape);

/**
 * The JSON of GET /v1/containers, with each container's documented fields only. The items are this
 * Hub's own ContainerInfo objects, already typed: validating them again with zod, as the route's
 * response schema otherwise does, took longer than listing a thousand containers (docs/measurements.md,
 * the Hub at the floor). Picking the schema's keys still keeps anything else off the wire.
 */
export function containerListJson(payload: { items: readonly object[] }): string {
  const items = payload.items.map((item) => {
    const fields: Record<string, unknown> = {};
    for (const key of CONTAINER_INFO_KEYS) {
      const value = (item as Record<string, unknown>)[key];
      if (value !== undefined) fields[key] = value;
    }
    return fields;
  });
  return JSON.stringify({ items });
}
