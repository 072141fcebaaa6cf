/** Images are scanned for known vulnerabilities as they are pushed (ECR docs, "Scan images for software vulnerabilities"). */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { T } from "../lib/types";

export const ecrScanOnPush: ResourceValidationPolicy = {
  name: "ecr-scan-on-push",
  description: "ECR repositories scan every image on push.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== T.ecrRepository) return;
    const scanning = args.props.imageScanningConfiguration as { scanOnPush?: boolean } | undefined;
    if (scanning?.scanOnPush !== true) {
      reportViolation(
        "imageScanningConfiguration.scanOnPush is not true. Fix: imageScanningConfiguration: { scanOnPush: true }.",
      );
    }
  },
};
