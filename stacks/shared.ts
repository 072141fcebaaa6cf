import * as pulumi from "@pulumi/pulumi";
import { Network } from "../components/network/network";
import { HubImage } from "../components/shared/hub-image";
import { HubToken } from "../components/shared/hub-token";
import { ImageCache } from "../components/shared/image-cache";
import { cacheRepositoryPrefix } from "../components/shared/image-cache-rules";
import type { StackConfig } from "./config";

/** What every candidate shares: made once per stack, so the dev stack has one of each. */
export interface SharedPieces {
  readonly network: Network;
  /** The Hub's image, built once for every candidate's Hub. */
  readonly hubImage: HubImage;
  /** The Hub's API token in Secrets Manager, shared by every Hub of the stack. */
  readonly hubToken: HubToken;
  /** hub.sandboxImage as sandboxes pull it: through the ECR cache unless hub.pullThroughCache is off. */
  readonly sandboxImage: pulumi.Output<string>;
  /** Every image EKS workers keep pulled: sandboxImage first, then hub.prePullImages, each as pulled. */
  readonly prePulledImages: pulumi.Output<string[]>;
  /** IAM JSON for the roles that pull sandbox images, when they pull through the cache. */
  readonly imagePullPolicy?: pulumi.Output<string>;
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
  const cache = config.hub.pullThroughCache
    ? new ImageCache("sandbox-images", {
        prefix: cacheRepositoryPrefix(pulumi.getStack()),
      })
    : undefined;
  const asPulled = (image: string) => (cache ? cache.imageFor(image) : pulumi.output(image));
  const images = [
    config.hub.sandboxImage,
    ...config.hub.prePullImages.filter((i) => i !== config.hub.sandboxImage),
  ];
  return {
    network,
    hubImage,
    hubToken,
    sandboxImage: asPulled(config.hub.sandboxImage),
    prePulledImages: pulumi.all(images.map(asPulled)),
    imagePullPolicy: cache?.pullPolicy,
  };
}
