/**
 * Resource inputs as the Pulumi engine hands them to an analyzer: wire form with unknowns kept as the
 * sentinel, secrets kept signed, internal `__` keys dropped and resource references replaced by the
 * referenced resource's id (custom) or URN (component), since the engine marshals them without
 * KeepResources (pulumi/pulumi sdk/go/common/resource/plugin/analyzer_plugin.go, Analyze:
 * MarshalOptions{KeepUnknowns: true, KeepSecrets: true, SkipInternalKeys: true}).
 */

/** Pulumi's wire signature key and the signature of a resource reference (sdk/nodejs/runtime/rpc.ts). */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const RESOURCE_REFERENCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
/** The wire sentinel of a value not known during a preview (rpc.ts `unknownValue`). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

type Wire = null | boolean | number | string | Wire[] | { [key: string]: Wire };

export function analyzerValue(value: Wire): Wire {
  if (Array.isArray(value)) return value.map(analyzerValue);
  if (value === null || typeof value !== "object") return value;
  if (value[SIG_KEY] === RESOURCE_REFERENCE_SIG) {
    const id = value.id;
    if (typeof id === "string") return id === "" ? UNKNOWN : id;
    return value.urn ?? UNKNOWN;
  }
  const out: { [key: string]: Wire } = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key.startsWith("__")) continue;
    out[key] = analyzerValue(inner);
  }
  return out;
}

export function analyzerProperties(wireInputs: Record<string, unknown>): Record<string, Wire> {
  return analyzerValue(wireInputs as Wire) as Record<string, Wire>;
}
