import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { mergeEnvironments } from "../shared/environment";
import { portUrlEnvironment } from "../shared/hub-port-urls";
import { hubTokenReadPolicy } from "../shared/hub-token-policy";
import { warmPoolEnvironment, type HubWarmPool } from "../shared/hub-warm-pools";
import { awsContextOf, type AwsContext } from "./aws-context";
import {
  HUB_CONTAINER_NAME,
  HUB_PORT,
  HUB_SCRATCH_VOLUME,
  hubContainerDefinition,
} from "./container-definitions";
import type { EcsCluster } from "./ecs-cluster";
import { CPU_UNITS_PER_VCPU, fargateSizeFor, fargateTaskBasics } from "./fargate-task";
import { hubEnvironment } from "./hub-environment";
import type { HubLoadBalancer } from "./hub-load-balancer";
import { LOAD_BALANCER_IDLE_TIMEOUT_SECONDS } from "./listeners";
import { hubTaskRolePolicy, type PolicyDocument, type PolicyStatement } from "./iam-policies";
import type { SandboxTaskTemplate } from "./sandbox-task-template";
import { ecsTaskExecutionRole, ecsTaskRole, inlinePolicy } from "./task-roles";

export interface HubOnEcsArgs {
  /** Task-definition family of the Hub itself. Unique per account and region. */
  readonly family: string;
  /** The Hub's name (HUB_INSTANCE), tagged on its sandboxes, e.g. "ecs-fargate". */
  readonly instance: string;
  /** Hub image URI (HubImage). */
  readonly image: pulumi.Input<string>;
  /** Secrets Manager ARN of the Hub's API token (HubToken). */
  readonly tokenSecretArn: pulumi.Input<string>;
  /** Private subnets for the Hub's tasks and the sandboxes it starts. */
  readonly privateSubnetIds: pulumi.Input<string[]>;
  readonly cluster: EcsCluster;
  readonly sandboxes: SandboxTaskTemplate;
  readonly loadBalancer: HubLoadBalancer;
  /** Image sandboxes start from when a request names none. */
  readonly defaultSandboxImage: pulumi.Input<string>;
  /** The size of a sandbox whose request names none (the sandbox task template's size). */
  readonly defaultSandboxSize: { readonly cpu: number; readonly memoryMiB: number };
  /** Hub tasks. Required; the stack's default comes from `stacks/config-schema.ts` (`hub.replicas`). */
  readonly replicas: number;
  /** Hub task CPU units, rounded up to a Fargate size. Required; the stack's default comes from `stacks/config-schema.ts` (`ecs.hubCpuUnits`). */
  readonly cpuUnits: number;
  /** Hub task memory, rounded up to a Fargate size. Required; the stack's default comes from `stacks/config-schema.ts` (`ecs.hubMemoryMiB`). */
  readonly memoryMiB: number;
  /** HUB_PREVIEW_DOMAIN: host-based port URLs under it; unset: path-based under the Hub's URL. */
  readonly previewDomain?: string;
  /** HUB_WARM_POOLS: sandboxes the Hub keeps started ahead of time. */
  readonly warmPools: readonly HubWarmPool[];
}

/**
 * The Hub as a Fargate service behind its load balancer, with a task role that may only run,
 * watch, exec into and stop sandboxes of its family in its cluster.
 */
export class HubOnEcs extends pulumi.ComponentResource {
  public readonly executionRole: aws.iam.Role;
  public readonly taskRole: aws.iam.Role;
  public readonly taskDefinition: aws.ecs.TaskDefinition;
  public readonly service: aws.ecs.Service;
  /** The Hub's environment as its task definition sets it (the token comes from `secrets`, not here). */
  public readonly environment: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: HubOnEcsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hub:ecs:HubOnEcs", name, {}, opts);
    const context = awsContextOf(this);
    const { cluster, sandboxes, loadBalancer } = args;
    const execution = ecsTaskExecutionRole(`${name}-execution-role`, "Starts Hub tasks", context, this);
    this.executionRole = execution.role;
    // ECS reads the token into the Hub's `secrets` when it starts the container.
    const readToken = inlinePolicy(
      `${name}-read-token`,
      this.executionRole,
      pulumi.output(args.tokenSecretArn).apply(hubTokenReadPolicy),
      this,
    );
    this.taskRole = ecsTaskRole(`${name}-task-role`, "The Hub: runs sandbox tasks", context, this);
    const runSandboxes = inlinePolicy(
      `${name}-run-sandboxes`,
      this.taskRole,
      hubTaskRolePolicyOf(args, context),
      this,
    );
    this.environment = hubEnvironmentOf(args, context);
    const containerDefinitions = pulumi
      .all([context, args.image, args.tokenSecretArn, args.cluster.logGroupName, this.environment])
      .apply(([c, image, tokenSecretArn, logGroupName, environment]) =>
        JSON.stringify([
          hubContainerDefinition({
            image,
            environment,
            tokenSecretArn,
            logs: { logGroupName, region: c.region },
          }),
        ]),
      );
    const size = fargateSizeFor(args.cpuUnits / CPU_UNITS_PER_VCPU, args.memoryMiB);
    this.taskDefinition = new aws.ecs.TaskDefinition(
      `${name}-task-definition`,
      {
        family: args.family,
        ...fargateTaskBasics(size),
        executionRoleArn: this.executionRole.arn,
        taskRoleArn: this.taskRole.arn,
        volumes: [{ name: HUB_SCRATCH_VOLUME }],
        containerDefinitions,
      },
      { parent: this },
    );
    // Tasks start only once they can pull, read the token, be reached through the load balancer
    // (whose target group must have a listener) and start sandboxes on the cluster's providers.
    this.service = this.createService(name, args, [
      execution.managedPolicy,
      readToken,
      runSandboxes,
      ...loadBalancer.accessResources,
      ...sandboxes.accessResources,
      cluster.capacityProviders,
    ]);
    this.registerOutputs({ serviceName: this.service.name, taskRoleArn: this.taskRole.arn });
  }

  private createService(name: string, args: HubOnEcsArgs, dependsOn: pulumi.Resource[]): aws.ecs.Service {
    return new aws.ecs.Service(
      `${name}-service`,
      {
        cluster: args.cluster.clusterArn,
        taskDefinition: this.taskDefinition.arn,
        desiredCount: args.replicas,
        // Always on-demand Fargate: the Hub must not be reclaimed like a Spot task.
        launchType: "FARGATE",
        // LATEST is Fargate platform 1.4.0 or newer.
        platformVersion: "LATEST",
        networkConfiguration: {
          subnets: args.privateSubnetIds,
          securityGroups: [args.loadBalancer.hubSecurityGroup.id],
          assignPublicIp: false,
        },
        loadBalancers: [
          {
            targetGroupArn: args.loadBalancer.targetGroup.arn,
            containerName: HUB_CONTAINER_NAME,
            containerPort: HUB_PORT,
          },
        ],
        deploymentCircuitBreaker: { enable: true, rollback: true },
        deploymentMinimumHealthyPercent: 100,
        deploymentMaximumPercent: 200,
        // Time for Node to start and the target group to see two healthy checks (2 x 15 s) before ECS judges.
        healthCheckGracePeriodSeconds: 60,
        availabilityZoneRebalancing: "ENABLED",
        enableEcsManagedTags: true,
        propagateTags: "SERVICE",
      },
      { parent: this, dependsOn },
    );
  }
}

/** The Hub's environment, once every resource it names is known. */
function hubEnvironmentOf(
  args: HubOnEcsArgs,
  context: pulumi.Output<AwsContext>,
): pulumi.Output<Record<string, string>> {
  const { cluster, sandboxes } = args;
  const names = pulumi.all([cluster.clusterName, cluster.logGroupName, sandboxes.securityGroup.id]);
  const roles = pulumi.all([sandboxes.executionRole.arn, sandboxes.taskRole.arn]);
  return pulumi
    .all([context, args.privateSubnetIds, names, roles, args.defaultSandboxImage])
    .apply(
      ([
        c,
        subnetIds,
        [clusterName, logGroupName, sandboxSecurityGroupId],
        [executionRoleArn, taskRoleArn],
        defaultImage,
      ]) =>
        mergeEnvironments(
          hubEnvironment({
            instance: args.instance,
            region: c.region,
            clusterName,
            subnetIds,
            sandboxSecurityGroupIds: [sandboxSecurityGroupId],
            sandboxFamily: sandboxes.family,
            sandboxExecutionRoleArn: executionRoleArn,
            sandboxTaskRoleArn: taskRoleArn,
            logGroupName,
            capacityProvider: cluster.sandboxCapacityProvider,
            defaultImage,
            defaultSize: args.defaultSandboxSize,
          }),
          portUrlEnvironment({
            ...(args.loadBalancer.publicUrl === undefined ? {} : { publicUrl: args.loadBalancer.publicUrl }),
            ...(args.previewDomain === undefined ? {} : { previewDomain: args.previewDomain }),
            loadBalancerIdleSeconds: LOAD_BALANCER_IDLE_TIMEOUT_SECONDS,
          }),
          warmPoolEnvironment(args.warmPools),
        ),
    );
}

/** The Hub task role's policy, scoped to this cluster, the sandbox family and the two sandbox roles. */
function hubTaskRolePolicyOf(
  args: HubOnEcsArgs,
  context: pulumi.Output<AwsContext>,
): pulumi.Output<PolicyDocument<PolicyStatement>> {
  const { cluster, sandboxes } = args;
  return pulumi
    .all([
      context,
      cluster.clusterArn,
      cluster.clusterName,
      sandboxes.executionRole.arn,
      sandboxes.taskRole.arn,
    ])
    .apply(([c, clusterArn, clusterName, sandboxExecutionRoleArn, sandboxTaskRoleArn]) =>
      hubTaskRolePolicy({
        context: c,
        clusterArn,
        clusterName,
        sandboxFamily: sandboxes.family,
        sandboxExecutionRoleArn,
        sandboxTaskRoleArn,
      }),
    );
}
