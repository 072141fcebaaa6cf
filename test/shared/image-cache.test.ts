/**
 * ECR Public images come through the account's pull-through cache by default: the rule, every place
 * the default sandbox image is used (both Hubs, the ECS task definition, the EKS image puller), and the
 * IAM each pulling role needs. Run on the dev stack, which has all three candidates.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  cachedImage,
  cacheRepositoryPrefix,
  imageCachePullPolicy,
} from "../../components/shared/image-cache-rules";
import type { Recorder } from "../harness/mocks";
import { runStack } from "../harness/stack";
import { hubEnvFromRecorder } from "../eks/cluster-layout";

const PREFIX = "dev-ecr-public";
const CACHED = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/${PREFIX}/docker/library/python:3.12-slim`;
let recorder: Recorder;

beforeAll(async () => {
  ({ recorder } = await runStack("dev", {
    overrides: {
      "sandbox-platform:hub": {
        prePullImages: ["public.ecr.aws/docker/library/node:22-slim", "ghcr.io/example/course:1"],
      },
    },
  }));
});

const rule = () => recorder.one("aws:ecr/pullThroughCacheRule:PullThroughCacheRule");
const ecsHubEnv = () => {
  const container = JSON.parse(
    recorder.one("aws:ecs/taskDefinition:TaskDefinition", "ecs-hub-task-definition").inputs
      .containerDefinitions,
  )[0];
  return Object.fromEntries(
    container.environment.map((e: { name: string; value: string }) => [e.name, e.value]),
  );
};

describe("the ECR Public pull-through cache", () => {
  it("is one rule per stack, for public.ecr.aws", () => {
    expect(rule().inputs).toEqual({ ecrRepositoryPrefix: PREFIX, upstreamRegistryUrl: "public.ecr.aws" });
  });

  it("serves hub.sandboxImage to both Hubs, the ECS task definition and the EKS image puller", () => {
    expect(hubEnvFromRecorder(recorder).HUB_DEFAULT_IMAGE).toBe(CACHED);
    expect(ecsHubEnv().HUB_DEFAULT_IMAGE).toBe(CACHED);
    const sandboxTask = recorder.one(
      "aws:ecs/taskDefinition:TaskDefinition",
      "ecs-sandboxes-task-definition",
    );
    expect(JSON.parse(sandboxTask.inputs.containerDefinitions)[0].image).toBe(CACHED);
    const puller = recorder.one("kubernetes:apps/v1:DaemonSet", "eks-image-puller-daemonset");
    expect(puller.inputs.spec.template.spec.initContainers.map((c: { image: string }) => c.image)).toEqual([
      CACHED,
      CACHED.replace("python:3.12-slim", "node:22-slim"),
      "ghcr.io/example/course:1",
    ]);
    // Whatever names a cached image waits for the rule that makes it pullable.
    expect(recorder.waitsFor(sandboxTask, rule())).toBe(true);
  });

  it("lets every role that pulls sandbox images import them, under this stack's prefix only", () => {
    const expected = JSON.parse(imageCachePullPolicy("aws", "eu-west-1", "123456789012", PREFIX));
    for (const name of [
      "eks-node-image-cache",
      "eks-fargate-pod-execution-image-cache",
      "ecs-sandboxes-execution-image-cache",
    ]) {
      expect(JSON.parse(recorder.one("aws:iam/rolePolicy:RolePolicy", name).inputs.policy), name).toEqual(
        expected,
      );
    }
    expect(expected.Statement[0]).toMatchObject({
      Action: ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
      Resource: `arn:aws:ecr:eu-west-1:123456789012:repository/${PREFIX}/*`,
    });
  });

  it.each([
    ["aws:eks/fargateProfile:FargateProfile", "eks-fargate-pod-execution-image-cache"],
    ["aws:ecs/service:Service", "ecs-sandboxes-execution-image-cache"],
  ])("is in place before the sandboxes that pull through it can start (%s)", (user, policy) => {
    expect(recorder.waitsFor(recorder.one(user), recorder.one("aws:iam/rolePolicy:RolePolicy", policy))).toBe(
      true,
    );
  });
});

describe("cache naming", () => {
  it("keeps prefixes within ECR's 30 characters and of its shape, one per stack", () => {
    expect(cacheRepositoryPrefix("dev")).toBe(PREFIX);
    expect(cacheRepositoryPrefix("eks-fargate")).toBe("eks-fargate-ecr-public");
    const long = cacheRepositoryPrefix("staging-eu-west-1-students");
    expect(long.length).toBeLessThanOrEqual(30);
    expect(long).toMatch(/^[a-z0-9]+(?:[._-][a-z0-9]+)*$/);
    expect(long).not.toBe(cacheRepositoryPrefix("staging-eu-west-1-teachers"));
    expect(cacheRepositoryPrefix("Prod.EU_1")).toBe("prod-eu-1-ecr-public");
  });

  it("rewrites only public.ecr.aws images", () => {
    expect(cachedImage("public.ecr.aws/x/y:1", "r.example", "p")).toBe("r.example/p/x/y:1");
    expect(cachedImage("docker.io/library/python:3", "r.example", "p")).toBe("docker.io/library/python:3");
    expect(cachedImage("public.ecr.aws.evil.com/x:1", "r.example", "p")).toBe("public.ecr.aws.evil.com/x:1");
  });
});
