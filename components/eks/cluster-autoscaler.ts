import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { clusterAutoscalerPolicy } from "./autoscaler-policy";
import { clusterAutoscalerValues } from "./cluster-autoscaler-values";
import type { EksCluster } from "./eks-cluster";
import { Irsa } from "./irsa";

export const CLUSTER_AUTOSCALER_CHART_REPO = "https://kubernetes.github.io/autoscaler";
const NAMESPACE = "kube-system";
const SERVICE_ACCOUNT = "cluster-autoscaler";

export interface ClusterAutoscalerArgs {
  readonly cluster: EksCluster;
  /** Name of the cluster in AWS: auto-discovery tag and IAM condition. */
  readonly clusterName: string;
  readonly region: pulumi.Input<string>;
  /** Pinned chart version. Required; the stack's default comes from `stacks/config-schema.ts` (`eks.clusterAutoscalerChartVersion`). */
  readonly chartVersion: string;
  /** Resources that must exist first (the manager group it runs on). */
  readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** cluster-autoscaler from the official chart, on the manager group, with its IAM role through IRSA. */
export class ClusterAutoscaler extends pulumi.ComponentResource {
  public readonly irsa: Irsa;
  public readonly release: k8s.helm.v3.Release;

  constructor(name: string, args: ClusterAutoscalerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hub:eks:ClusterAutoscaler", name, {}, opts);
    this.irsa = new Irsa(
      `${name}-irsa`,
      {
        cluster: args.cluster,
        namespace: NAMESPACE,
        namespaceName: NAMESPACE,
        serviceAccountName: SERVICE_ACCOUNT,
        inlinePolicies: { "cluster-autoscaler": clusterAutoscalerPolicy(args.clusterName) },
        labels: { "app.kubernetes.io/name": "cluster-autoscaler" },
      },
      { parent: this },
    );
    this.release = new k8s.helm.v3.Release(
      `${name}-release`,
      {
        name: "cluster-autoscaler",
        chart: "cluster-autoscaler",
        version: args.chartVersion,
        repositoryOpts: { repo: CLUSTER_AUTOSCALER_CHART_REPO },
        namespace: NAMESPACE,
        values: pulumi.output(args.region).apply((region) =>
          clusterAutoscalerValues({
            clusterName: args.clusterName,
            region,
            serviceAccountName: SERVICE_ACCOUNT,
          }),
        ),
      },
      {
        parent: this,
        provider: args.cluster.provider,
        dependsOn: [this.irsa, ...(args.dependsOn ?? [])],
      },
    );
    this.registerOutputs({ release: this.release.status });
  }
}
