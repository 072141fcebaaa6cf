/**
 * The kube-dns Service's ClusterIP: EKS gives it the tenth address of the cluster's service range
 * (EKS API reference, KubernetesNetworkConfigRequest `serviceIpv4Cidr`; kubelet's clusterDNS on EKS AMIs).
 */
export function kubeDnsServiceIp(serviceIpv4Cidr: string): string {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(serviceIpv4Cidr);
  const prefix = Number(match?.[5]);
  if (match === null || prefix > 24 || prefix < 8) {
    throw new Error(
      `the cluster's service range must be an IPv4 CIDR from /8 to /24, got "${serviceIpv4Cidr}"`,
    );
  }
  const address = match.slice(1, 5).reduce((sum, octet) => sum * 256 + Number(octet), 0);
  const network = address - (address % 2 ** (32 - prefix));
  const dns = network + 10;
  return [24, 16, 8, 0].map((shift) => Math.floor(dns / 2 ** shift) % 256).join(".");
}
