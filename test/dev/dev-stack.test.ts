/**
 * The dev stack under mocks: all three candidates side by side, with every shared piece made once,
 * as in the original study.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { parseHubEnv } from "../../hub-app/src/config";
import { ecsHubEnvironment, eksHubEnvironment } from "../harness/deployed-hub-env";
import type { Recorder } from "../harness/mocks";
import { runStack } from "../harness/stack";

let recorder: Recorder;
let outputs: Record<string, any>;

beforeAll(async () => {
  ({ recorder, outputs } = await runStack("dev"));
});

const ecsHubContainer = () =>
  JSON.parse(
    recorder.one("aws:ecs/taskDefinition:TaskDefinition", "ecs-hub-task-definition").inputs
      .containerDefinitions,
  )[0];
const eksHubContainer = () =>
  recorder
    .one("kubernetes:apps/v1:Deployment", "eks-hub-deployment")
    .inputs.spec.template.spec.containers.find((c: any) => c.name === "hub");

describe("dev stack: one of each shared piece", () => {
  it.each([
    ["awsx:ec2:Vpc"],
    ["aws:ecr/repository:Repository"],
    ["awsx:ecr:Image"],
    ["aws:secretsmanager/secret:Secret"],
    ["eks:index:Cluster"],
    ["aws:ecs/cluster:Cluster"],
  ])("has exactly one %s", (type) => {
    expect(recorder.ofType(type)).toHaveLength(1);
  });

  it("puts the ECS candidate's security groups in the one VPC", () => {
    const vpcId = outputs.vpcId;
    const ecsGroups = recorder
      .ofType("aws:ec2/securityGroup:SecurityGroup")
      .filter((sg) => sg.name.startsWith("ecs-"));
    expect(ecsGroups.length).toBeGreaterThanOrEqual(3);
    for (const sg of ecsGroups) expect(sg.inputs.vpcId).toBe(vpcId);
  });

  it("outputs each candidate under its own key", () => {
    expect(Object.keys(outputs.ecs).sort()).toEqual([
      "clusterName",
      "dns",
      "hubEnvironment",
      "hubUrl",
      "tokenSecretArn",
    ]);
    expect(outputs.eks).toMatchObject({ placements: ["ec2", "fargate"] });
    expect(outputs.eks.clusterName).not.toBe(outputs.ecs.clusterName);
  });

  it("runs both Hubs from the one image and the one token secret", () => {
    expect(ecsHubContainer().image).toBe(eksHubContainer().image);
    expect(recorder.one("aws:secretsmanager/secret:Secret").name).toBe("hub-token-secret");
    expect(outputs.ecs.tokenSecretArn).toBe(outputs.eks.tokenSecretArn);
    expect(ecsHubContainer().secrets).toEqual([
      { name: "HUB_API_TOKEN", valueFrom: outputs.ecs.tokenSecretArn },
    ]);
  });

  it("keeps warm pools on the Fargate candidates only: the EKS Hub's on Fargate, not on its default EC2 placement", () => {
    const valueOf = (env: { name: string; value: string }[], name: string) =>
      env.find((e) => e.name === name)?.value;
    expect(JSON.parse(valueOf(eksHubContainer().env, "HUB_WARM_POOLS")!)).toEqual([
      { placement: "fargate", size: 10 },
    ]);
    expect(JSON.parse(valueOf(ecsHubContainer().environment, "HUB_WARM_POOLS")!)).toEqual([{ size: 10 }]);
  });

  it("gives both Hubs environments their own parser accepts, with the default warm pools", () => {
    const eks = parseHubEnv(eksHubEnvironment(recorder));
    expect(eks.orchestrator).toMatchObject({
      kind: "kubernetes",
      settings: { placements: ["ec2", "fargate"] },
    });
    expect(eks.warmPools.pools).toEqual([expect.objectContaining({ placement: "fargate", size: 10 })]);
    const ecs = parseHubEnv(ecsHubEnvironment(recorder));
    expect(ecs.orchestrator.kind).toBe("ecs");
    expect(ecs.warmPools.pools).toEqual([expect.objectContaining({ size: 10 })]);
  });

  it("gives the two Hubs different instance names, so their sandboxes' tags never mix", () => {
    const instanceOf = (env: { name: string; value: string }[]) =>
      env.find((e) => e.name === "HUB_INSTANCE")?.value;
    expect(instanceOf(ecsHubContainer().environment)).toBe("ecs-fargate");
    expect(instanceOf(eksHubContainer().env)).not.toBe("ecs-fargate");
  });
});
