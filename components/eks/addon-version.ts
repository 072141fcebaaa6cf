import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/**
 * The version of a managed add-on that EKS marks default for a Kubernetes version. Stating it, rather
 * than leaving it unset (EKS then picks one at creation and never changes it), upgrades the add-on
 * whenever eks.kubernetesVersion changes (EKS API DescribeAddonVersions, `defaultVersion`).
 */
export function defaultAddonVersion(
  addonName: string,
  kubernetesVersion: string,
  parent: pulumi.Resource,
): pulumi.Output<string> {
  return aws.eks
    .getAddonVersionOutput({ addonName, kubernetesVersion, mostRecent: false }, { parent })
    .apply((found) => found.version);
}
