import { FargateSandboxes } from "../../../components/eks/fargate-sandboxes";
import { warmMembers, warmPoolsOf } from "../../warm-pools";
import type { EksContext, EksPlacementModule, PlacementPieces } from "../placement-pieces";

/** Ceiling on students' Fargate sandboxes: the study's target of 1000 concurrent containers. */
export const FARGATE_MAX_SANDBOX_PODS = 1000;

/**
 * Sandboxes on Fargate: a profile with its own pod execution role. No workers, autoscaler or
 * placeholders: Fargate sizes itself per pod. CoreDNS stays on the manager group, which the Hub needs anyway.
 */
function deploy(context: EksContext): PlacementPieces {
  const fargate = new FargateSandboxes("eks-fargate", {
    cluster: context.cluster,
    clusterName: context.clusterName,
    namespace: context.sandboxNamespaceName,
    sharedWithEc2Workers: context.multiplePlacements,
    imagePullPolicy: context.shared.imagePullPolicy,
  });
  return { resources: [fargate] };
}

export const fargatePlacement: EksPlacementModule = {
  placement: "fargate",
  candidate: "eks-fargate",
  // Warm members are pods in the namespace too: the quota holds them on top of the students' 1000.
  maxSandboxPods: (config) => FARGATE_MAX_SANDBOX_PODS + warmMembers(warmPoolsOf(config, "eks-fargate")),
  deploy,
};
