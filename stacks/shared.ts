import { Network } from "../components/network/network";
import type { StackConfig } from "./config";

/** What every candidate shares: made once per stack, so the dev stack has one of each. */
export interface SharedPieces {
  readonly network: Network;
}

export function deploySharedPieces(config: StackConfig): SharedPieces {
  const network = new Network("sandbox", {
    cidrBlock: config.network.vpcCidr,
    availabilityZones: config.network.availabilityZones,
    natGateways: config.network.natGateways,
    vpcEndpoints: config.network.vpcEndpoints,
  });
  return { network };
}
