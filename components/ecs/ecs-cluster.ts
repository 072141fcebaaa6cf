import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { capacityPlan } from "./capacity";
import type { CapacityProvider } from "./hub-environment";

export interface EcsClusterArgs {
  /** Attach FARGATE_SPOT and make it the sandboxes' default. Required; the stack's default comes from `stacks/config-schema.ts` (`ecs.fargateSpot`). */
  readonly fargateSpot: boolean;
  /** Retention of the log group sandboxes and the Hub write to. Required; the stack's default comes from `stacks/config-schema.ts` (`ecs.logRetentionDays`). */
  readonly logRetentionDays: number;
}

/** An ECS cluster for Fargate tasks, with Container Insights and one log group. */
export class EcsCluster extends pulumi.ComponentResource {
  public readonly cluster: aws.ecs.Cluster;
  public readonly capacityProviders: aws.ecs.ClusterCapacityProviders;
  public readonly logGroup: aws.cloudwatch.LogGroup;
  public readonly clusterName: pulumi.Output<string>;
  public readonly clusterArn: pulumi.Output<string>;
  public readonly logGroupName: pulumi.Output<string>;
  /** Where sandboxes run: FARGATE, or FARGATE_SPOT when fargateSpot is set. */
  public readonly sandboxCapacityProvider: CapacityProvider;

  constructor(name: string, args: EcsClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hub:ecs:EcsCluster", name, {}, opts);
    const plan = capacityPlan(args.fargateSpot);
    this.sandboxCapacityProvider = plan.sandboxCapacityProvider;
    this.cluster = new aws.ecs.Cluster(
      `${name}-cluster`,
      {
        settings: [{ name: "containerInsights", value: "enabled" }],
        // No exec session logging: it would need log rights on the sandbox task role, which has none.
        configuration: { executeCommandConfiguration: { logging: "NONE" } },
      },
      { parent: this },
    );
    this.capacityProviders = new aws.ecs.ClusterCapacityProviders(
      `${name}-capacity`,
      {
        clusterName: this.cluster.name,
        capacityProviders: plan.capacityProviders,
        defaultCapacityProviderStrategies: plan.defaultStrategy,
      },
      { parent: this },
    );
    this.logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { retentionInDays: args.logRetentionDays },
      { parent: this },
    );
    this.clusterName = this.cluster.name;
    this.clusterArn = this.cluster.arn;
    this.logGroupName = this.logGroup.name;
    this.registerOutputs({ clusterName: this.clusterName, logGroupName: this.logGroupName });
  }
}
