import type { StackConfig } from "./config";
import { deployEcsFargate } from "./ecs-fargate";
import { deployEks } from "./eks";
import { deploySharedPieces } from "./shared";

/**
 * Composes the candidates this stack deploys. Pieces every candidate uses are made once
 * (stacks/shared.ts), so the dev stack runs all three side by side on one network, as the
 * original study did.
 */
export function deployStack(config: StackConfig) {
  const shared = deploySharedPieces(config);
  const ecs = config.candidates.includes("ecs-fargate")
    ? deployEcsFargate(config, {
        network: shared.network,
        hubImageUri: shared.hubImage.imageUri,
        hubTokenSecretArn: shared.hubToken.secretArn,
        sandboxImage: shared.sandboxImage,
        imagePullPolicy: shared.imagePullPolicy,
      })
    : undefined;
  const eks = deployEks(config, shared);
  return {
    candidates: config.candidates,
    vpcId: shared.network.vpcId,
    ...(ecs && { ecs }),
    ...(eks && { eks }),
  };
}
