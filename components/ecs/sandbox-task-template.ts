import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsContextOf } from "./aws-context";
import { sandboxContainerDefinition } from "./container-definitions";
import { fargateSizeFor, fargateTaskBasics } from "./fargate-task";
import { sandboxTaskRolePolicy } from "./iam-policies";
import { createSecurityGroupRules, sandboxRules } from "./security-group-rules";
import { ecsTaskExecutionRole, ecsTaskRole, inlinePolicy } from "./task-roles";

export interface SandboxTaskTemplateArgs {
  /** Task-definition family; the Hub registers revisions of it for other images. Unique per account and region. */
  readonly family: string;
  readonly vpcId: pulumi.Input<string>;
  /** The only security group allowed to open connections to sandboxes. */
  readonly hubSecurityGroupId: pulumi.Input<string>;
  /** Image of the default task definition. Required; the stack's default comes from `stacks/config-schema.ts` (`hub.sandboxImage`). */
  readonly image: pulumi.Input<string>;
  /** Default sandbox vCPUs, rounded up to a Fargate size. Required; the stack's default comes from `stacks/config-schema.ts` (`hub.sandboxCpu`). */
  readonly cpu: number;
  /** Default sandbox memory, rounded up to a Fargate size. Required; the stack's default comes from `stacks/config-schema.ts` (`hub.sandboxMemoryMiB`). */
  readonly memoryMiB: number;
  readonly logGroupName: pulumi.Input<string>;
  /** IAM JSON the execution role gets besides its managed policy (pulling through the ECR cache); unset: none. */
  readonly imagePullPolicy?: pulumi.Input<string>;
}

/**
 * What every sandbox task uses: an execution role (pull, logs), a task role with nothing but
 * ECS Exec's channels, a security group open only to the Hub, and the default task definition.
 * Exec needs Fargate platform 1.4.0+; the Hub runs tasks on LATEST with enableExecuteCommand.
 */
export class SandboxTaskTemplate extends pulumi.ComponentResource {
  public readonly executionRole: aws.iam.Role;
  public readonly taskRole: aws.iam.Role;
  public readonly securityGroup: aws.ec2.SecurityGroup;
  public readonly taskDefinition: aws.ecs.TaskDefinition;
  public readonly family: string;
  /** Policies and security group rules that must exist before a sandbox can start and be reached. */
  public readonly accessResources: pulumi.Resource[];

  constructor(name: string, args: SandboxTaskTemplateArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hub:ecs:SandboxTaskTemplate", name, {}, opts);
    const context = awsContextOf(this);
    this.family = args.family;
    const execution = ecsTaskExecutionRole(`${name}-execution-role`, "Starts sandbox tasks", context, this);
    this.executionRole = execution.role;
    this.taskRole = ecsTaskRole(`${name}-task-role`, "Sandboxes: ECS Exec channels only", context, this);
    const execChannels = inlinePolicy(
      `${name}-task-exec-channels`,
      this.taskRole,
      pulumi.output(sandboxTaskRolePolicy()),
      this,
    );
    this.securityGroup = new aws.ec2.SecurityGroup(
      `${name}-security-group`,
      { vpcId: args.vpcId, description: "Sandbox tasks: inbound from the Hub only" },
      { parent: this },
    );
    const rules = createSecurityGroupRules(
      `${name}-security-group`,
      this.securityGroup.id,
      sandboxRules({ hubSecurityGroupId: args.hubSecurityGroupId }),
      this,
    );
    const imageCache =
      args.imagePullPolicy === undefined
        ? []
        : [
            new aws.iam.RolePolicy(
              `${name}-execution-image-cache`,
              { role: this.executionRole.id, name: "pull-through-cache", policy: args.imagePullPolicy },
              { parent: this },
            ),
          ];
    this.accessResources = [execution.managedPolicy, ...imageCache, execChannels, ...rules];
    const size = fargateSizeFor(args.cpu, args.memoryMiB);
    this.taskDefinition = new aws.ecs.TaskDefinition(
      `${name}-task-definition`,
      {
        family: args.family,
        ...fargateTaskBasics(size),
        executionRoleArn: this.executionRole.arn,
        taskRoleArn: this.taskRole.arn,
        containerDefinitions: pulumi
          .all([args.image, args.logGroupName, context])
          .apply(([image, logGroupName, c]) =>
            JSON.stringify([sandboxContainerDefinition({ image, logs: { logGroupName, region: c.region } })]),
          ),
      },
      { parent: this },
    );
    this.registerOutputs({ family: this.family, securityGroupId: this.securityGroup.id });
  }
}
