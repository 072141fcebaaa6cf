/**
 * Configuration of the managed `vpc-cni` add-on (schema: `aws eks describe-addon-configuration
 * --addon-name vpc-cni`). Prefix delegation lifts pod density from IPs per ENI to /28 prefixes;
 * the network policy agent makes the sandbox NetworkPolicies bite.
 */
export interface VpcCniSettings {
  readonly prefixDelegation: boolean;
  readonly networkPolicy: boolean;
}

export function vpcCniConfigurationValues(settings: VpcCniSettings): string {
  const env: Record<string, string> = {};
  if (settings.prefixDelegation) {
    env.ENABLE_PREFIX_DELEGATION = "true";
    // One spare /28 per node: the next 16 pods get an address without an EC2 API call (VPC CNI docs).
    env.WARM_PREFIX_TARGET = "1";
  }
  return JSON.stringify({ env, enableNetworkPolicy: settings.networkPolicy ? "true" : "false" });
}
