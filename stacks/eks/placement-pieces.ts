import type * as pulumi from "@pulumi/pulumi";
import type { EksCluster } from "../../components/eks/eks-cluster";
import type { ManagerGroup } from "../../components/eks/manager-group";
import type { KubernetesPlacement } from "../../components/kubernetes/placement";
import type { Candidate, StackConfig } from "../config";
import type { SharedPieces } from "../shared";

/** What a placement's pieces get from the shared EKS composition. */
export interface EksContext {
  readonly config: StackConfig;
  readonly shared: SharedPieces;
  readonly cluster: EksCluster;
  readonly clusterName: string;
  readonly region: pulumi.Output<string>;
  readonly manager: ManagerGroup;
  readonly sandboxNamespaceName: string;
  /** The cluster serves more than one placement (the dev stack): Fargate then selects labelled pods only. */
  readonly multiplePlacements: boolean;
}

/** What a placement adds to the cluster. */
export interface PlacementPieces {
  /** Resources the Hub waits for: sandboxes must have somewhere to land before it takes requests. */
  readonly resources: readonly pulumi.Resource[];
}

/** One EKS candidate's contribution: placements/ec2.ts and placements/fargate.ts each export one. */
export interface EksPlacementModule {
  readonly placement: KubernetesPlacement;
  /** The candidate this placement is: its warm pools are `hub.warmPools.<candidate>`. */
  readonly candidate: Candidate;
  /** Most sandbox pods this placement can hold: sizes the namespace quota. */
  maxSandboxPods(config: StackConfig): number;
  deploy(context: EksContext): PlacementPieces;
}
