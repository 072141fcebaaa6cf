/**
 * Launch-template user data for AL2023 managed nodes: a nodeadm NodeConfig that EKS merges with its
 * own (EKS docs, "Customize managed nodes with launch templates": MIME multi-part, application/node.eks.aws).
 * It sets kubelet maxPods, which must match the VPC CNI's prefix delegation setting.
 */
const BOUNDARY = "//sandbox-platform//";

export function nodeConfigUserData(maxPods: number): string {
  if (!Number.isInteger(maxPods) || maxPods < 1) {
    throw new Error(`maxPods must be a whole number of at least 1, got ${maxPods}`);
  }
  const mime = [
    "MIME-Version: 1.0",
    `Content-Type: multipart/mixed; boundary="${BOUNDARY}"`,
    "",
    `--${BOUNDARY}`,
    "Content-Type: application/node.eks.aws",
    "",
    "apiVersion: node.eks.aws/v1alpha1",
    "kind: NodeConfig",
    "spec:",
    "  kubelet:",
    "    config:",
    `      maxPods: ${maxPods}`,
    "",
    `--${BOUNDARY}--`,
    "",
  ].join("\n");
  return Buffer.from(mime, "utf8").toString("base64");
}
