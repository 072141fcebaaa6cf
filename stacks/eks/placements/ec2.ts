import { ClusterAutoscaler } from "../../../components/eks/cluster-autoscaler";
import { WorkerGroup } from "../../../components/eks/worker-group";
import { sandboxesPerNode } from "../../../components/kubernetes/headroom";
import { ImagePuller } from "../../../components/kubernetes/image-puller";
import { Overprovisioning } from "../../../components/kubernetes/overprovisioning";
import { labelsOf, WORKER_LABEL, WORKER_TAINT } from "../../../components/kubernetes/placement";
import type { EksContext, EksPlacementModule, PlacementPieces } from "../placement-pieces";
import { defaultSandboxSize, workerAllocatable } from "../worker-capacity";

/**
 * Sandboxes on EC2 workers: the tainted worker group, cluster-autoscaler on the manager group,
 * placeholders for headroom and the image puller so new workers are warm.
 */
function deploy(context: EksContext): PlacementPieces {
  const { config, cluster, clusterName } = context;
  const workers = new WorkerGroup("eks-workers", {
    cluster,
    instanceType: config.eks.workerInstanceType,
    minSize: config.eks.workerMin,
    desiredSize: config.eks.workerDesired,
    maxSize: config.eks.workerMax,
  });
  const autoscaler = new ClusterAutoscaler("eks-autoscaler", {
    cluster,
    clusterName,
    region: context.region,
    chartVersion: config.eks.clusterAutoscalerChartVersion,
    dependsOn: [context.manager.nodeGroup],
  });
  const overprovisioning = new Overprovisioning(
    "eks-overprovisioning",
    {
      provider: cluster.provider,
      kubernetesVersion: config.eks.kubernetesVersion,
      createRatePerSecond: config.eks.createRatePerSecond,
      nodeProvisioningSeconds: config.eks.nodeProvisioningSeconds,
      sandbox: defaultSandboxSize(config.hub),
      node: workerAllocatable(config.eks.workerInstanceType),
      maxNodes: config.eks.workerMax,
    },
    { dependsOn: [workers] },
  );
  const imagePuller = new ImagePuller(
    "eks-image-puller",
    {
      images: context.shared.prePulledImages,
      placement: { nodeSelector: labelsOf(WORKER_LABEL), tolerations: [WORKER_TAINT] },
      provider: cluster.provider,
    },
    { dependsOn: [workers] },
  );
  return { resources: [workers, autoscaler, overprovisioning, imagePuller] };
}

export const ec2Placement: EksPlacementModule = {
  placement: "ec2",
  candidate: "eks-ec2",
  maxSandboxPods: (config) =>
    config.eks.workerMax *
    sandboxesPerNode(workerAllocatable(config.eks.workerInstanceType), defaultSandboxSize(config.hub)),
  deploy,
};
