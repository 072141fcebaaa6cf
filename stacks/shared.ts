import { Network } from "../components/network/network";
import { HubImage } from "../components/shared/hub-image";
import { HubToken } from "../components/shared/hub-token";
import type { StackConfig } from "./config";

/** What every candidate shares: made once per stack, so the dev stack has one of each. */
export interface SharedPieces {
  readonly network: Network;
  /** The Hub's image, built once for every candidate's Hub. */
  readonly hubImage: HubImage;
  /** The Hub's API token in Secrets Manager, shared by every Hub of the stack. */
  readonly hubToken: HubToken;
}

export function deploySharedPieces(config: StackConfig): SharedPieces {
  const network = new Network("sandbox", {
    cidrBlock: config.network.vpcCidr,
    availabilityZones: config.network.availabilityZones,
    natGateways: config.network.natGateways,
    vpcEndpoints: config.network.vpcEndpoints,
  });
  const hubImage = new HubImage("hub", {
    prebuiltImageUri: config.hub.imageUri,
    keepImages: config.hub.keepImages,
  });
  const hubToken = new HubToken("hub-token");
  return { network, hubImage, hubToken };
}
