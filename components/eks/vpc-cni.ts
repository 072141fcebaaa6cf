/**
 * Configuration of the managed `vpc-cni` add-on (schema: `aws eks describe-addon-configuration
 * --addon-name vpc-cni`). Prefix delegation lifts pod density from IPs per ENI to /28 prefixes;
 * the network policy agent makes the sandbox NetworkPolicies bite.
 */
export interface VpcCniSettings {
  readonly prefixDelegation: boolean;
  readonly networkPolicy: boolean;
}

/**
 * With policies on, "strict": a new pod starts with no traffic until its policies are in place, where
 * "standard" lets a fresh sandbox reach everything (the metadata service included) for that moment.
 * The price: a pod no NetworkPolicy selects gets no traffic at all, so every namespace with pods on
 * nodes has one (amazon-vpc-cni-k8s README, NETWORK_POLICY_ENFORCING_MODE, v1.17.1+).
 */
export const NETWORK_POLICY_ENFORCING_MODE = "strict";

export function vpcCniConfigurationValues(settings: VpcCniSettings): string {
  const env: Record<string, string> = {};
  if (settings.prefixDelegation) {
    env.ENABLE_PREFIX_DELEGATION = "true";
    // One spare /28 per node: the next 16 pods get an address without an EC2 API call (VPC CNI docs).
    env.WARM_PREFIX_TARGET = "1";
  }
  if (settings.networkPolicy) env.NETWORK_POLICY_ENFORCING_MODE = NETWORK_POLICY_ENFORCING_MODE;
  return JSON.stringify({ env, enableNetworkPolicy: settings.networkPolicy ? "true" : "false" });
}
