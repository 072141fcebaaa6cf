/** Pulumi.ecs-fargate.yaml with a name, a preview domain, a zone, a certificate and warm pools of its own. */
import { beforeAll, describe, expect, it } from "vitest";
import { parseHubEnv } from "../../hub-app/src/config";
import { ecsHubEnvironment } from "../harness/deployed-hub-env";
import type { Recorder } from "../harness/mocks";
import { runStack } from "../harness/stack";

const CERTIFICATE = "arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-hub";
let recorder: Recorder;
let outputs: Record<string, any>;

beforeAll(async () => {
  ({ recorder, outputs } = await runStack("ecs-fargate", {
    overrides: {
      "sandbox-platform:ecs": { certificateArn: CERTIFICATE },
      "sandbox-platform:hub": {
        hostname: "hub.example.com",
        previewDomain: "sandboxes.example.com",
        route53ZoneId: "Z0MOCKEDEXAMPLE",
        warmPools: {
          "ecs-fargate": [
            { size: 4 },
            { image: "public.ecr.aws/docker/library/node:22-slim", cpu: 0.5, memoryMiB: 1024, size: 2 },
            { cpu: 1, size: 0 },
          ],
        },
      },
    },
  }));
});

const environment = (): Record<string, string> =>
  Object.fromEntries(
    JSON.parse(
      recorder.one("aws:ecs/taskDefinition:TaskDefinition", "ecs-hub-task-definition").inputs
        .containerDefinitions,
    )[0].environment.map((e: { name: string; value: string }) => [e.name, e.value]),
  );

describe("ecs-fargate: web access", () => {
  it("gives the Hub its https name and the preview domain, and its URL is that name", () => {
    expect(environment()).toMatchObject({
      HUB_PUBLIC_URL: "https://hub.example.com",
      HUB_PREVIEW_DOMAIN: "sandboxes.example.com",
    });
    expect(outputs.ecs.hubUrl).toBe("https://hub.example.com");
  });

  it("answers a slow app with the proxy's 504 before the ALB's idle timeout cuts the connection", () => {
    const idleSeconds = recorder.one("aws:lb/loadBalancer:LoadBalancer").inputs.idleTimeout;
    expect(Number(environment().HUB_PROXY_RESPONSE_TIMEOUT_MS)).toBeLessThan(idleSeconds * 1000);
  });

  it("redirects HTTP to HTTPS and serves HTTPS with the one certificate", () => {
    const listeners = recorder.ofType("aws:lb/listener:Listener").map((l) => l.inputs);
    expect(listeners).toEqual([
      expect.objectContaining({
        port: 80,
        defaultActions: [
          { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
        ],
      }),
      expect.objectContaining({ port: 443, protocol: "HTTPS", certificateArn: CERTIFICATE }),
    ]);
  });

  it("aliases the Hub's name and the previews' wildcard to the ALB", () => {
    const records = recorder.ofType("aws:route53/record:Record");
    expect(records.map((r) => r.name)).toEqual(["ecs-hub-dns-hub", "ecs-hub-dns-previews"]);
    const alias = [
      {
        name: "mocked-ecs-hub-lb-alb.eu-west-1.elb.amazonaws.com",
        zoneId: "Z32O12XQLNTSW2",
        evaluateTargetHealth: true,
      },
    ];
    expect(records.map((r) => r.inputs)).toEqual([
      { zoneId: "Z0MOCKEDEXAMPLE", name: "hub.example.com", type: "A", aliases: alias },
      { zoneId: "Z0MOCKEDEXAMPLE", name: "*.sandboxes.example.com", type: "A", aliases: alias },
    ]);
    expect(outputs.ecs.dns.names).toEqual(["hub.example.com", "*.sandboxes.example.com"]);
  });
});

describe("ecs-fargate: names and warm pools in the Hub's own parser", () => {
  it("starts a Hub with its public URL, its preview domain and both non-empty pools", () => {
    const config = parseHubEnv(ecsHubEnvironment(recorder));
    expect(config.portUrls).toMatchObject({
      publicUrl: "https://hub.example.com",
      previewDomain: "sandboxes.example.com",
    });
    expect(config.warmPools.pools).toEqual([
      expect.objectContaining({ image: config.defaultImage, size: 4 }),
      expect.objectContaining({
        image: "public.ecr.aws/docker/library/node:22-slim",
        cpu: 0.5,
        memoryMiB: 1024,
        size: 2,
      }),
    ]);
  });
});

describe("ecs-fargate: hub.warmPools", () => {
  it("declares the non-empty pools in the Hub's own format, defaults left to the Hub", () => {
    expect(JSON.parse(environment().HUB_WARM_POOLS!)).toEqual([
      { size: 4 },
      { image: "public.ecr.aws/docker/library/node:22-slim", cpu: 0.5, memory: 1024, size: 2 },
    ]);
  });
});
