/**
 * Helm charts are pinned to one exact version: a range or no version takes whatever the repository
 * publishes next on the following `pulumi up` (Helm docs, "Chart versions are SemVer 2").
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { T } from "../lib/types";

const EXACT_SEMVER = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
/** A chart from a folder of this repository is pinned by the repository itself. */
const LOCAL_CHART = /^(\.{1,2}\/|\/)/;

export const helmChartsPinned: ResourceValidationPolicy = {
  name: "helm-chart-version-pinned",
  description: "Every Helm chart is pinned to an exact version.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (![T.helmRelease, T.helmChartV3, T.helmChartV4].includes(args.type as never)) return;
    const chart = String(args.props.chart ?? "");
    if (LOCAL_CHART.test(chart)) return;
    const version = args.props.version as string | undefined;
    if (version === undefined || !EXACT_SEMVER.test(version)) {
      reportViolation(
        `chart "${chart}" has version ${version === undefined ? "unset" : `"${version}"`}, not one exact release. ` +
          "Fix: set version to an exact chart version such as 9.52.1 (stacks/config-schema.ts keeps the defaults).",
      );
    }
  },
};
