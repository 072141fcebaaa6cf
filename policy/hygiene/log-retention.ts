/** CloudWatch log groups keep logs forever unless told otherwise (CloudWatch Logs docs, "Change log data retention"). */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { T } from "../lib/types";

export const logGroupsExpire: ResourceValidationPolicy = {
  name: "log-groups-expire",
  description: "Every CloudWatch log group sets a retention.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== T.logGroup) return;
    const days = args.props.retentionInDays as number | undefined;
    if (days === undefined || days <= 0) {
      reportViolation(
        "retentionInDays is not set, so its logs never expire. Fix: set retentionInDays (e.g. the stack's logRetentionDays).",
      );
    }
  },
};
