/** Pulumi.dev.yaml with names: two Hubs, so each gets its platform's label and records of its own. */
import { beforeAll, describe, expect, it } from "vitest";
import { parseHubEnv } from "../../hub-app/src/config";
import { ecsHubEnvironment, eksHubEnvironment } from "../harness/deployed-hub-env";
import type { Recorder } from "../harness/mocks";
import { runStack } from "../harness/stack";

const CERT = (hub: string) => `arn:aws:acm:eu-west-1:123456789012:certificate/${hub}`;
let recorder: Recorder;
let outputs: Record<string, any>;

beforeAll(async () => {
  ({ recorder, outputs } = await runStack("dev", {
    overrides: {
      "sandbox-platform:eks": { certificateArn: CERT("eks") },
      "sandbox-platform:ecs": { certificateArn: CERT("ecs") },
      "sandbox-platform:hub": {
        hostname: "hub.example.com",
        previewDomain: "sandboxes.example.com",
        route53ZoneId: "Z0MOCKEDEXAMPLE",
        warmPools: { "eks-ec2": [{ size: 5 }], "eks-fargate": [] },
      },
    },
  }));
});

const records = () =>
  Object.fromEntries(
    recorder
      .ofType("aws:route53/record:Record")
      .map((r) => [r.inputs.name, { type: r.inputs.type, resource: r.name }]),
  );

describe("dev: two Hubs, one name each", () => {
  it("puts each Hub's names under its platform's label, each with its own records", () => {
    expect(records()).toEqual({
      "eks.hub.example.com": { type: "CNAME", resource: "eks-hub-dns-hub" },
      "*.eks.sandboxes.example.com": { type: "CNAME", resource: "eks-hub-dns-previews" },
      "ecs.hub.example.com": { type: "A", resource: "ecs-hub-dns-hub" },
      "*.ecs.sandboxes.example.com": { type: "A", resource: "ecs-hub-dns-previews" },
    });
    expect(outputs.eks.hubUrl).toBe("https://eks.hub.example.com");
    expect(outputs.ecs.hubUrl).toBe("https://ecs.hub.example.com");
    expect(outputs.eks.dns.names).toEqual(["eks.hub.example.com", "*.eks.sandboxes.example.com"]);
  });
});

describe("dev: both Hubs' environments, with names and warm pools, in the Hub's own parser", () => {
  it("starts the EKS Hub on both placements with its names and its pool on the default (EC2) placement", () => {
    const config = parseHubEnv(eksHubEnvironment(recorder));
    expect(config.orchestrator).toMatchObject({
      kind: "kubernetes",
      settings: { placements: ["ec2", "fargate"] },
    });
    expect(config.portUrls).toMatchObject({
      publicUrl: "https://eks.hub.example.com",
      previewDomain: "eks.sandboxes.example.com",
    });
    expect(config.warmPools.pools).toEqual([expect.objectContaining({ size: 5 })]);
    expect(config.warmPools.pools[0]).not.toHaveProperty("placement");
  });

  it("starts the ECS Hub with its names and its default pool", () => {
    const config = parseHubEnv(ecsHubEnvironment(recorder));
    expect(config.orchestrator.kind).toBe("ecs");
    expect(config.portUrls).toMatchObject({
      publicUrl: "https://ecs.hub.example.com",
      previewDomain: "ecs.sandboxes.example.com",
    });
    expect(config.warmPools.pools).toEqual([expect.objectContaining({ size: 10 })]);
  });
});

describe("dev: warm pools as configured", () => {
  it("keeps the EKS Hub's pool on its default EC2 placement (no placement named) and none on Fargate", () => {
    const eksEnv = recorder
      .one("kubernetes:apps/v1:Deployment", "eks-hub-deployment")
      .inputs.spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === "HUB_WARM_POOLS");
    expect(JSON.parse(eksEnv.value)).toEqual([{ size: 5 }]);
  });

  it("holds no Fargate members in the quota: 13 workers x 77 plus the students' 1000", () => {
    expect(recorder.one("kubernetes:core/v1:ResourceQuota").inputs.spec.hard.pods).toBe("2001");
  });
});
