/** The real program with Pulumi.ecs-fargate.yaml under mocks: the ECS candidate alone. */
import { beforeAll, describe, expect, it } from "vitest";
import { parseHubEnv } from "../../hub-app/src/config";
import { ecsHubEnvironment, INJECTED_SECRET } from "../harness/deployed-hub-env";
import type { Recorder } from "../harness/mocks";
import { runStack } from "../harness/stack";

let recorder: Recorder;
let outputs: Record<string, any>;

beforeAll(async () => {
  ({ recorder, outputs } = await runStack("ecs-fargate"));
});

const hubContainer = () =>
  JSON.parse(
    recorder.one("aws:ecs/taskDefinition:TaskDefinition", "ecs-hub-task-definition").inputs
      .containerDefinitions,
  )[0];

describe("ecs-fargate stack", () => {
  it("outputs the Hub URL, the cluster name and the token secret ARN", () => {
    expect(Object.keys(outputs.ecs).sort()).toEqual([
      "clusterName",
      "dns",
      "hubEnvironment",
      "hubUrl",
      "tokenSecretArn",
    ]);
    expect(outputs.ecs.hubUrl).toMatch(/^http:\/\//);
    expect(outputs.ecs.clusterName).toBe("ecs-cluster-mocked");
    // The shared HubToken's secret, not a secret of the ECS candidate's own.
    expect(outputs.ecs.tokenSecretArn).toMatch(
      /^arn:aws:secretsmanager:eu-west-1:123456789012:mocked-hub-token-/,
    );
    expect(recorder.ofType("aws:secretsmanager/secret:Secret")).toHaveLength(1);
  });

  it("builds the ECS candidate and no EKS cluster", () => {
    expect(recorder.ofType("aws:ecs/cluster:Cluster")).toHaveLength(1);
    expect(recorder.ofType("eks:index:Cluster")).toHaveLength(0);
    for (const type of [
      "hub:ecs:EcsCluster",
      "hub:ecs:HubLoadBalancer",
      "hub:ecs:SandboxTaskTemplate",
      "hub:ecs:HubOnEcs",
    ]) {
      expect(recorder.ofType(type)).toHaveLength(1);
    }
  });

  it("runs the Hub from the shared Hub image", () => {
    expect(hubContainer().image).toMatch(/dkr\.ecr\.eu-west-1\.amazonaws\.com\/mocked-hub-image@sha256:/);
  });

  it("injects the shared token secret, the one the stack outputs", () => {
    expect(hubContainer().secrets).toEqual([
      { name: "HUB_API_TOKEN", valueFrom: outputs.ecs.tokenSecretArn },
    ]);
    const readToken = JSON.parse(
      recorder.one("aws:iam/rolePolicy:RolePolicy", "ecs-hub-read-token").inputs.policy,
    );
    expect(readToken.Statement[0].Resource).toBe(outputs.ecs.tokenSecretArn);
  });

  it("starts Hub and sandboxes in the shared network's private subnets", () => {
    const privateSubnets = ["mocked-subnet-sandbox-vpc-private-1", "mocked-subnet-sandbox-vpc-private-2"];
    const service = recorder.one("aws:ecs/service:Service");
    expect(service.inputs.networkConfiguration.subnets).toEqual(privateSubnets);
    expect(service.inputs.networkConfiguration.assignPublicIp).toBe(false);
    const env = Object.fromEntries(hubContainer().environment.map((e: any) => [e.name, e.value]));
    expect(env.HUB_ECS_SUBNETS).toBe(privateSubnets.join(","));
    expect(recorder.one("aws:lb/loadBalancer:LoadBalancer").inputs.subnets).toEqual([
      "mocked-subnet-sandbox-vpc-public-1",
      "mocked-subnet-sandbox-vpc-public-2",
    ]);
  });

  it("names task families after project and stack, so stacks in one account do not collide", () => {
    const families = recorder.ofType("aws:ecs/taskDefinition:TaskDefinition").map((t) => t.inputs.family);
    expect(families.sort()).toEqual([
      "sandbox-platform-ecs-fargate-hub",
      "sandbox-platform-ecs-fargate-sandbox",
    ]);
  });

  it("applies the default config: 2 Hub tasks, on-demand Fargate, 30 days of logs", () => {
    expect(recorder.one("aws:ecs/service:Service").inputs.desiredCount).toBe(2);
    expect(
      recorder.one("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").inputs.capacityProviders,
    ).toEqual(["FARGATE"]);
    expect(recorder.one("aws:cloudwatch/logGroup:LogGroup", "ecs-logs").inputs.retentionInDays).toBe(30);
  });
});

describe("ecs-fargate stack: defaults for web access and warm pools", () => {
  const environment = () =>
    Object.fromEntries(
      hubContainer().environment.map((e: { name: string; value: string }) => [e.name, e.value]),
    );

  it("hands out path-based port URLs on the request's origin: no public URL, no preview domain, no records", () => {
    expect(environment().HUB_PUBLIC_URL).toBeUndefined();
    expect(environment().HUB_PREVIEW_DOMAIN).toBeUndefined();
    expect(recorder.ofType("aws:route53/record:Record")).toEqual([]);
    expect(outputs.ecs.dns).toEqual({
      loadBalancer: "mocked-ecs-hub-lb-alb.eu-west-1.elb.amazonaws.com",
      names: [],
      recordsManaged: false,
    });
  });

  it("keeps ten sandboxes of the default shape warm", () => {
    expect(JSON.parse(environment().HUB_WARM_POOLS)).toEqual([{ size: 10 }]);
  });

  it("starts a Hub whose own parser accepts the environment, the token injected from the secret", () => {
    const config = parseHubEnv(ecsHubEnvironment(recorder));
    expect(config).toMatchObject({ apiToken: INJECTED_SECRET, orchestrator: { kind: "ecs" } });
    expect(config.portUrls).not.toHaveProperty("publicUrl");
    expect(config.warmPools.pools).toEqual([
      expect.objectContaining({ image: config.defaultImage, size: 10, cpu: config.limits.cpuDefault }),
    ]);
  });
});
