/**
 * What the stack tells cluster-autoscaler, read from its Helm release's values: pods below
 * --expendable-pods-priority-cutoff never make it add a node (cluster-autoscaler FAQ.md, "How does
 * cluster-autoscaler work with Pod Priority and Preemption?"; default -10).
 */
import type { PolicyResource } from "@pulumi/policy";
import { ofType } from "../lib/resources";
import { T } from "../lib/types";

export const DEFAULT_EXPENDABLE_CUTOFF = -10;

export interface AutoscalerRelease {
  readonly resource: PolicyResource;
  readonly cutoff: number;
}

export function autoscalerReleases(resources: readonly PolicyResource[]): AutoscalerRelease[] {
  return ofType(resources, T.helmRelease, T.helmChartV3, T.helmChartV4)
    .filter((r) => /(^|\/)cluster-autoscaler$/.test(String(r.props.chart ?? "")))
    .map((resource) => {
      const extraArgs = (resource.props.values as { extraArgs?: Record<string, unknown> } | undefined)
        ?.extraArgs;
      const flag = extraArgs?.["expendable-pods-priority-cutoff"];
      return { resource, cutoff: flag === undefined ? DEFAULT_EXPENDABLE_CUTOFF : Number(flag) };
    });
}
