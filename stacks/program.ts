import type { StackConfig } from "./config";
import { deploySharedPieces } from "./shared";

/**
 * Composes the candidates this stack deploys. Pieces every candidate uses are made once
 * (stacks/shared.ts), so the dev stack runs all three side by side on one network, as the
 * original study did.
 */
export function deployStack(config: StackConfig) {
  const shared = deploySharedPieces(config);
  return {
    candidates: config.candidates,
    vpcId: shared.network.vpcId,
  };
}
