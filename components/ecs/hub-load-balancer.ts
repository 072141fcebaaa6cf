import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { HUB_PORT } from "./container-definitions";
import {
  hubUrl,
  LOAD_BALANCER_IDLE_TIMEOUT_SECONDS,
  listenerPlan,
  TLS_POLICY,
  type ListenerSpec,
} from "./listeners";
import { createSecurityGroupRules, hubRules, loadBalancerRules } from "./security-group-rules";

/**
 * /healthz, not /readyz: with a load balancer, ECS replaces tasks the target group finds unhealthy
 * (ECS Developer Guide, service load balancing: tasks failing the target group's check are replaced), so a check on /readyz would
 * restart every Hub, killing their runs, whenever ECS itself is unreachable or throttles, which a restart
 * cannot fix. ECS has no "ready but not live" state; a Hub that cannot reach ECS says so per request.
 */
export const HUB_TARGET_HEALTH_PATH = "/healthz";

export interface HubLoadBalancerArgs {
  readonly vpcId: pulumi.Input<string>;
  /** Public subnets the load balancer sits in. */
  readonly publicSubnetIds: pulumi.Input<string[]>;
  /** ACM certificate: adds an HTTPS listener and redirects HTTP to it. Unset: HTTP only. */
  readonly certificateArn?: string;
  /** The Hub's own DNS name (a record leads it here): its URL. Unset: the load balancer's name. */
  readonly hostname?: string;
}

/**
 * The way in to the Hub on ECS: an internet-facing Application Load Balancer, its target group
 * of Hub tasks, and the two security groups (load balancer, Hub tasks). The Hub's security group
 * lives here because the sandboxes' rules must name it before the Hub service exists.
 */
export class HubLoadBalancer extends pulumi.ComponentResource {
  public readonly loadBalancerSecurityGroup: aws.ec2.SecurityGroup;
  public readonly hubSecurityGroup: aws.ec2.SecurityGroup;
  public readonly loadBalancer: aws.lb.LoadBalancer;
  public readonly targetGroup: aws.lb.TargetGroup;
  public readonly listeners: aws.lb.Listener[];
  public readonly url: pulumi.Output<string>;
  /** HUB_PUBLIC_URL: the URL when the Hub has a name of its own; unset, the Hub takes the origin each request came to. */
  public readonly publicUrl: string | undefined;
  /** Listeners and security group rules: the Hub is reachable once they exist. */
  public readonly accessResources: pulumi.Resource[];

  constructor(name: string, args: HubLoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hub:ecs:HubLoadBalancer", name, {}, opts);
    const plan = listenerPlan(args.certificateArn);
    this.loadBalancerSecurityGroup = new aws.ec2.SecurityGroup(
      `${name}-lb-security-group`,
      { vpcId: args.vpcId, description: "Hub load balancer: clients in, Hub port out" },
      { parent: this },
    );
    this.hubSecurityGroup = new aws.ec2.SecurityGroup(
      `${name}-hub-security-group`,
      { vpcId: args.vpcId, description: "Hub tasks: inbound from the load balancer only" },
      { parent: this },
    );
    const loadBalancerRuleResources = createSecurityGroupRules(
      `${name}-lb-security-group`,
      this.loadBalancerSecurityGroup.id,
      loadBalancerRules({
        listenerPorts: plan.map((l) => l.port),
        hubSecurityGroupId: this.hubSecurityGroup.id,
        hubPort: HUB_PORT,
      }),
      this,
    );
    const hubRuleResources = createSecurityGroupRules(
      `${name}-hub-security-group`,
      this.hubSecurityGroup.id,
      hubRules({ loadBalancerSecurityGroupId: this.loadBalancerSecurityGroup.id, hubPort: HUB_PORT }),
      this,
    );
    this.loadBalancer = new aws.lb.LoadBalancer(
      `${name}-alb`,
      {
        loadBalancerType: "application",
        internal: false,
        subnets: args.publicSubnetIds,
        securityGroups: [this.loadBalancerSecurityGroup.id],
        idleTimeout: LOAD_BALANCER_IDLE_TIMEOUT_SECONDS,
        dropInvalidHeaderFields: true,
      },
      { parent: this },
    );
    this.targetGroup = new aws.lb.TargetGroup(
      `${name}-targets`,
      {
        vpcId: args.vpcId,
        targetType: "ip",
        port: HUB_PORT,
        protocol: "HTTP",
        // Hub tasks finish in-flight requests within their 120 s stop timeout.
        deregistrationDelay: 120,
        healthCheck: {
          path: HUB_TARGET_HEALTH_PATH,
          matcher: "200",
          interval: 15,
          healthyThreshold: 2,
          unhealthyThreshold: 3,
        },
      },
      { parent: this },
    );
    this.listeners = plan.map((spec) => this.listener(name, spec));
    this.accessResources = [...this.listeners, ...loadBalancerRuleResources, ...hubRuleResources];
    this.url = this.loadBalancer.dnsName.apply((dns) => hubUrl(dns, args.certificateArn, args.hostname));
    this.publicUrl = args.hostname === undefined ? undefined : hubUrl("", args.certificateArn, args.hostname);
    this.registerOutputs({ url: this.url, hubSecurityGroupId: this.hubSecurityGroup.id });
  }

  private listener(name: string, spec: ListenerSpec): aws.lb.Listener {
    const action =
      spec.action === "forward"
        ? { type: "forward", targetGroupArn: this.targetGroup.arn }
        : { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } };
    return new aws.lb.Listener(
      `${name}-${spec.protocol.toLowerCase()}`,
      {
        loadBalancerArn: this.loadBalancer.arn,
        port: spec.port,
        protocol: spec.protocol,
        ...(spec.certificateArn === undefined
          ? {}
          : { certificateArn: spec.certificateArn, sslPolicy: TLS_POLICY }),
        defaultActions: [action],
      },
      { parent: this },
    );
  }
}
