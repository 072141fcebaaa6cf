/**
 * Launch template settings of every managed node group. IMDSv2 with hop limit 1: a pod (one network
 * hop away from the node) cannot reach the instance metadata service, so sandbox code cannot take
 * the node role's credentials (EKS best practices, "Restrict access to the instance profile").
 */
import { nodeConfigUserData } from "./node-user-data";

export const NODE_METADATA_OPTIONS = {
  httpEndpoint: "enabled",
  httpTokens: "required",
  httpPutResponseHopLimit: 1,
} as const;

/** AL2023's root device; sandbox images live here, so it is larger than the 20 GiB default. */
export const ROOT_DEVICE = "/dev/xvda";

export function nodeLaunchTemplateSettings(maxPods: number, rootVolumeGiB: number) {
  if (!Number.isInteger(rootVolumeGiB) || rootVolumeGiB < 20) {
    throw new Error(`node root volume must be a whole number of GiB, at least 20, got ${rootVolumeGiB}`);
  }
  return {
    metadataOptions: { ...NODE_METADATA_OPTIONS },
    userData: nodeConfigUserData(maxPods),
    blockDeviceMappings: [
      {
        deviceName: ROOT_DEVICE,
        ebs: {
          volumeSize: rootVolumeGiB,
          volumeType: "gp3",
          encrypted: "true",
          deleteOnTermination: "true",
        },
      },
    ],
  };
}
