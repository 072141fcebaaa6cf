/**
 * The ECS components under the shared mocks, built directly with plain inputs: what AWS would be
 * asked to create, read from the recorded resource inputs.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { EcsCluster } from "../../components/ecs/ecs-cluster";
import { HubLoadBalancer } from "../../components/ecs/hub-load-balancer";
import { HubOnEcs } from "../../components/ecs/hub-on-ecs";
import { SandboxTaskTemplate } from "../../components/ecs/sandbox-task-template";
import { installMocks, promiseOf, type RecordedResource, type Recorder } from "../harness/mocks";
import { hubTestApp } from "../harness/hub-test-app";
import { mockArn } from "../harness/remote-stubs";

const TOKEN_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:hub-token-AbCdEf";
const CERT_ARN = "arn:aws:acm:eu-west-1:123456789012:certificate/abc";
const PRIVATE_SUBNETS = ["subnet-private-a", "subnet-private-b"];

let recorder: Recorder;

beforeAll(async () => {
  recorder = await installMocks("sandbox-platform", "components");
  const cluster = new EcsCluster("ecs", { fargateSpot: true, logRetentionDays: 14 });
  const loadBalancer = new HubLoadBalancer("entry", { vpcId: "vpc-1", publicSubnetIds: ["pub-a", "pub-b"] });
  const tlsLoadBalancer = new HubLoadBalancer("tls-entry", {
    vpcId: "vpc-1",
    publicSubnetIds: ["pub-a", "pub-b"],
    certificateArn: CERT_ARN,
  });
  const sandboxes = new SandboxTaskTemplate("sandboxes", {
    family: "test-sandbox",
    vpcId: "vpc-1",
    hubSecurityGroupId: loadBalancer.hubSecurityGroup.id,
    image: "python:3.12-slim",
    cpu: 0.1,
    memoryMiB: 128,
    logGroupName: cluster.logGroupName,
  });
  const hub = new HubOnEcs("hub", {
    family: "test-hub",
    instance: "ecs-fargate",
    image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/hub@sha256:abc",
    tokenSecretArn: TOKEN_ARN,
    privateSubnetIds: PRIVATE_SUBNETS,
    cluster,
    sandboxes,
    loadBalancer,
    defaultSandboxImage: "python:3.12-slim",
    defaultSandboxSize: { cpu: 0.1, memoryMiB: 128 },
    replicas: 2,
    cpuUnits: 512,
    memoryMiB: 1024,
    warmPools: [],
  });
  // The service waits for every policy, rule and listener: once it is registered, all are.
  await Promise.all([hub.service.urn, ...tlsLoadBalancer.listeners.map((l) => l.urn)].map(promiseOf));
});

const named = (type: string, name: string): RecordedResource => recorder.one(type, name);
const policyOf = (name: string) => JSON.parse(named("aws:iam/rolePolicy:RolePolicy", name).inputs.policy);
const containersOf = (name: string) =>
  JSON.parse(named("aws:ecs/taskDefinition:TaskDefinition", name).inputs.containerDefinitions);
const hubEnvironmentOfTaskDefinition = (name: string): Record<string, string> =>
  Object.fromEntries(
    containersOf(name)[0].environment.map((e: { name: string; value: string }) => [e.name, e.value]),
  );
const rulesOn = (securityGroup: string) =>
  recorder.resources.filter(
    (r) =>
      r.type.startsWith("aws:vpc/securityGroup") &&
      r.inputs.securityGroupId === `mocked::aws:ec2/securityGroup:SecurityGroup::${securityGroup}`,
  );

describe("EcsCluster", () => {
  it("turns Container Insights on and logs no exec sessions", () => {
    const cluster = named("aws:ecs/cluster:Cluster", "ecs-cluster");
    expect(cluster.inputs.settings).toEqual([{ name: "containerInsights", value: "enabled" }]);
    expect(cluster.inputs.configuration.executeCommandConfiguration.logging).toBe("NONE");
  });

  it("attaches Fargate and, when asked, Fargate Spot as the default", () => {
    const capacity = named("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", "ecs-capacity");
    expect(capacity.inputs.capacityProviders).toEqual(["FARGATE", "FARGATE_SPOT"]);
    expect(capacity.inputs.defaultCapacityProviderStrategies).toEqual([
      { capacityProvider: "FARGATE_SPOT", base: 0, weight: 1 },
    ]);
  });

  it("keeps logs for the configured retention", () => {
    expect(named("aws:cloudwatch/logGroup:LogGroup", "ecs-logs").inputs.retentionInDays).toBe(14);
  });
});

describe("task roles", () => {
  const roleNames = [
    "sandboxes-execution-role",
    "sandboxes-task-role",
    "hub-execution-role",
    "hub-task-role",
  ];

  it("are assumable only by ECS tasks of this account", () => {
    for (const name of roleNames) {
      const trust = JSON.parse(named("aws:iam/role:Role", name).inputs.assumeRolePolicy);
      expect(trust.Statement).toHaveLength(1);
      expect(trust.Statement[0].Principal).toEqual({ Service: "ecs-tasks.amazonaws.com" });
      expect(trust.Statement[0].Condition.StringEquals).toEqual({ "aws:SourceAccount": "123456789012" });
    }
  });

  it("give both execution roles the managed execution policy and nothing managed to task roles", () => {
    const attachments = recorder.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment");
    expect(attachments.map((a) => a.inputs.role).sort()).toEqual([
      "hub-execution-role-mocked",
      "sandboxes-execution-role-mocked",
    ]);
    for (const attachment of attachments) {
      expect(attachment.inputs.policyArn).toBe(
        "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
      );
    }
  });

  it("leave the sandbox task role with the four ssmmessages actions alone", () => {
    const onSandboxRole = recorder
      .ofType("aws:iam/rolePolicy:RolePolicy")
      .filter((p) => p.inputs.role === "mocked::aws:iam/role:Role::sandboxes-task-role");
    expect(onSandboxRole).toHaveLength(1);
    const actions = JSON.parse(onSandboxRole[0]!.inputs.policy).Statement.flatMap((s: any) => s.Action);
    expect(actions.sort()).toEqual([
      "ssmmessages:CreateControlChannel",
      "ssmmessages:CreateDataChannel",
      "ssmmessages:OpenControlChannel",
      "ssmmessages:OpenDataChannel",
    ]);
  });

  it("let the Hub's execution role read the token secret and nothing else", () => {
    const policy = policyOf("hub-read-token");
    expect(named("aws:iam/rolePolicy:RolePolicy", "hub-read-token").inputs.role).toBe(
      "mocked::aws:iam/role:Role::hub-execution-role",
    );
    expect(policy.Statement).toEqual([
      {
        Sid: "ReadHubToken",
        Effect: "Allow",
        Action: ["secretsmanager:GetSecretValue"],
        Resource: TOKEN_ARN,
      },
    ]);
  });
});

describe("the Hub's task role as deployed", () => {
  const statements = () => policyOf("hub-run-sandboxes").Statement as any[];

  it("sits on the Hub's task role", () => {
    expect(named("aws:iam/rolePolicy:RolePolicy", "hub-run-sandboxes").inputs.role).toBe(
      "mocked::aws:iam/role:Role::hub-task-role",
    );
  });

  it("has no `*` action", () => {
    for (const action of statements().flatMap((s) => s.Action)) expect(action).not.toContain("*");
  });

  it("passes only the two sandbox roles", () => {
    const passRole = statements().filter((s) => s.Action.includes("iam:PassRole"));
    expect(passRole).toHaveLength(1);
    expect(passRole[0].Resource).toEqual([
      mockArn("iam", "sandboxes-execution-role"),
      mockArn("iam", "sandboxes-task-role"),
    ]);
  });

  it("runs only the sandbox family, in this cluster", () => {
    const run = statements().find((s) => s.Action.includes("ecs:RunTask"));
    expect(run.Resource).toBe("arn:aws:ecs:eu-west-1:123456789012:task-definition/test-sandbox:*");
    expect(run.Condition).toEqual({
      ArnEquals: { "ecs:cluster": "arn:aws:ecs:eu-west-1:123456789012:mocked-ecs-cluster" },
    });
  });
});

describe("security groups", () => {
  it("open sandboxes to the Hub's security group only", () => {
    const rules = rulesOn("sandboxes-security-group");
    const ingress = rules.filter(
      (r) => r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    );
    expect(ingress.map((r) => r.inputs.referencedSecurityGroupId)).toEqual([
      "mocked::aws:ec2/securityGroup:SecurityGroup::entry-hub-security-group",
    ]);
    expect(ingress.every((r) => r.inputs.cidrIpv4 === undefined)).toBe(true);
  });

  it("open the Hub to its load balancer only, on 8080", () => {
    const ingress = rulesOn("entry-hub-security-group").filter((r) => r.type.includes("Ingress"));
    expect(ingress.map((r) => [r.inputs.fromPort, r.inputs.referencedSecurityGroupId])).toEqual([
      [8080, "mocked::aws:ec2/securityGroup:SecurityGroup::entry-lb-security-group"],
    ]);
  });

  it("open the load balancer on 80, and on 443 too with a certificate", () => {
    const ports = (sg: string) =>
      rulesOn(sg)
        .filter((r) => r.type.includes("Ingress"))
        .map((r) => r.inputs.fromPort);
    expect(ports("entry-lb-security-group")).toEqual([80]);
    expect(ports("tls-entry-lb-security-group")).toEqual([80, 443]);
  });
});

describe("load balancer", () => {
  it("checks Hub tasks by IP on /healthz", () => {
    const targets = named("aws:lb/targetGroup:TargetGroup", "entry-targets");
    expect(targets.inputs).toMatchObject({ targetType: "ip", port: 8080, protocol: "HTTP" });
    expect(targets.inputs.healthCheck.path).toBe("/healthz");
  });

  it("checks a path that stays healthy while ECS is unreachable, so ECS does not replace every Hub for it", async () => {
    const { app, fake } = await (await hubTestApp()).fakeHub();
    try {
      fake.pingError = new Error("ECS throttled the DescribeClusters call");
      const path = named("aws:lb/targetGroup:TargetGroup", "entry-targets").inputs.healthCheck.path;
      expect((await app.inject({ method: "GET", url: path })).statusCode).toBe(200);
      // The Hub still tells whoever asks that it cannot reach its orchestrator.
      expect((await app.inject({ method: "GET", url: "/readyz" })).statusCode).toBe(503);
    } finally {
      await app.close();
    }
  });

  it("outlasts the longest run the Hub allows: the idle timeout is above HUB_RUN_TIMEOUT_MAX_MS", () => {
    const env = hubEnvironmentOfTaskDefinition("hub-task-definition");
    const idle = named("aws:lb/loadBalancer:LoadBalancer", "entry-alb").inputs.idleTimeout;
    expect(Number(env.HUB_RUN_TIMEOUT_MAX_MS)).toBeLessThan(idle * 1000);
  });

  it("turns off the Hub's per-client connection cap: every client arrives from the ALB's few addresses", () => {
    expect(hubEnvironmentOfTaskDefinition("hub-task-definition").HUB_MAX_CONNECTIONS_PER_CLIENT).toBe("0");
  });

  it("forwards HTTP without a certificate", () => {
    const http = named("aws:lb/listener:Listener", "entry-http");
    expect(http.inputs.defaultActions[0].type).toBe("forward");
  });

  it("redirects HTTP to an HTTPS listener with the certificate", () => {
    expect(named("aws:lb/listener:Listener", "tls-entry-http").inputs.defaultActions[0]).toMatchObject({
      type: "redirect",
      redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" },
    });
    expect(named("aws:lb/listener:Listener", "tls-entry-https").inputs).toMatchObject({
      port: 443,
      protocol: "HTTPS",
      certificateArn: CERT_ARN,
      sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
    });
  });
});

describe("sandbox task definition", () => {
  it("is an awsvpc Fargate task of the smallest valid size", () => {
    expect(named("aws:ecs/taskDefinition:TaskDefinition", "sandboxes-task-definition").inputs).toMatchObject({
      family: "test-sandbox",
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      cpu: "256",
      memory: "512",
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
      taskRoleArn: mockArn("iam", "sandboxes-task-role"),
      executionRoleArn: mockArn("iam", "sandboxes-execution-role"),
    });
  });

  it("logs to the cluster's log group", () => {
    const [sandbox] = containersOf("sandboxes-task-definition");
    expect(sandbox.logConfiguration.options["awslogs-group"]).toBe("ecs-logs-mocked");
    expect(sandbox.linuxParameters.initProcessEnabled).toBe(true);
  });
});

describe("Hub service", () => {
  const service = () => named("aws:ecs/service:Service", "hub-service");

  it("runs in private subnets without public IPs, behind its own security group", () => {
    expect(service().inputs.networkConfiguration).toEqual({
      subnets: PRIVATE_SUBNETS,
      securityGroups: ["mocked::aws:ec2/securityGroup:SecurityGroup::entry-hub-security-group"],
      assignPublicIp: false,
    });
  });

  it("keeps two on-demand Fargate tasks, rolling back a failed deployment", () => {
    expect(service().inputs).toMatchObject({
      desiredCount: 2,
      launchType: "FARGATE",
      platformVersion: "LATEST",
      deploymentCircuitBreaker: { enable: true, rollback: true },
      healthCheckGracePeriodSeconds: 60,
    });
  });

  it("registers the Hub container's port in the target group", () => {
    expect(service().inputs.loadBalancers).toEqual([
      {
        targetGroupArn: "arn:aws:lb:eu-west-1:123456789012:mocked-entry-targets",
        containerName: "hub",
        containerPort: 8080,
      },
    ]);
  });
});

describe("Hub container", () => {
  const hub = () => containersOf("hub-task-definition")[0];
  const env = () => Object.fromEntries(hub().environment.map((e: any) => [e.name, e.value]));

  it("takes its token from the secret, never from the plain environment", () => {
    expect(hub().secrets).toEqual([{ name: "HUB_API_TOKEN", valueFrom: TOKEN_ARN }]);
    expect(env().HUB_API_TOKEN).toBeUndefined();
  });

  it("is told where to start sandboxes with the resources just made", () => {
    expect(env()).toMatchObject({
      HUB_ORCHESTRATOR: "ecs",
      HUB_ECS_CLUSTER: "ecs-cluster-mocked",
      HUB_ECS_SUBNETS: PRIVATE_SUBNETS.join(","),
      HUB_ECS_SECURITY_GROUPS: "mocked::aws:ec2/securityGroup:SecurityGroup::sandboxes-security-group",
      HUB_ECS_TASK_FAMILY: "test-sandbox",
      HUB_ECS_EXECUTION_ROLE_ARN: mockArn("iam", "sandboxes-execution-role"),
      HUB_ECS_TASK_ROLE_ARN: mockArn("iam", "sandboxes-task-role"),
      HUB_ECS_LOG_GROUP: "ecs-logs-mocked",
      HUB_ECS_CAPACITY_PROVIDER: "FARGATE_SPOT",
      AWS_REGION: "eu-west-1",
      HOST: "0.0.0.0",
      PORT: "8080",
    });
  });

  it("has a scratch volume for its read-only root filesystem", () => {
    expect(named("aws:ecs/taskDefinition:TaskDefinition", "hub-task-definition").inputs.volumes).toEqual([
      { name: "scratch" },
    ]);
  });
});
