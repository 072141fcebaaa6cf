import type { Policies } from "@pulumi/policy";
import { helmChartsPinned } from "./helm-pinned";
import { placeholderPriorityAtCutoff } from "./placeholder-priority";
import { workerCapacityKept } from "./worker-capacity";

/** This platform's own invariants: headroom that works, and releases that do not drift. */
export const platformPolicies: Policies = [placeholderPriorityAtCutoff, workerCapacityKept, helmChartsPinned];
