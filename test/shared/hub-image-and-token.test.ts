import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { installMocks, promiseOf, type Recorder } from "../harness/mocks";
import { settled } from "./settle";
import type * as HubImageModule from "../../components/shared/hub-image";
import type * as HubTokenModule from "../../components/shared/hub-token";

let recorder: Recorder;

/** ECR's rule for a repository's tag mutability (ECR API, ImageTagMutabilityExclusionFilter: `*` matches any run). */
function tagMayMove(repository: Record<string, any>, tag: string): boolean {
  const matches = (filter: string) =>
    new RegExp(
      `^${filter
        .split("*")
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*")}$`,
    ).test(tag);
  const excluded = (repository.imageTagMutabilityExclusionFilters ?? []).some((f: { filter: string }) =>
    matches(f.filter),
  );
  switch (repository.imageTagMutability ?? "MUTABLE") {
    case "MUTABLE":
      return true;
    case "IMMUTABLE":
      return false;
    case "IMMUTABLE_WITH_EXCLUSION":
      return excluded;
    case "MUTABLE_WITH_EXCLUSION":
      return !excluded;
    default:
      throw new Error(`unknown mutability ${String(repository.imageTagMutability)}`);
  }
}
let modules: { image: typeof HubImageModule; token: typeof HubTokenModule };

beforeAll(async () => {
  recorder = await installMocks("sandbox-platform", "test");
  modules = {
    image: await import("../../components/shared/hub-image"),
    token: await import("../../components/shared/hub-token"),
  };
});

describe("HubImage", () => {
  it("builds hub-app/Dockerfile from the repository root into a scanned ECR repository", async () => {
    const hub = new modules.image.HubImage("built", { keepImages: 7 });
    const uri = await promiseOf(hub.imageUri);
    await settled(recorder);
    const repository = recorder.one("aws:ecr/repository:Repository", "built-repository");
    expect(repository.inputs.imageScanningConfiguration).toEqual({ scanOnPush: true });
    const lifecycle = recorder.one("aws:ecr/lifecyclePolicy:LifecyclePolicy", "built-lifecycle");
    expect(JSON.parse(lifecycle.inputs.policy).rules[0].selection.countNumber).toBe(7);
    const image = recorder.one("awsx:ecr:Image", "built-image");
    expect(image.inputs.context).toBe(modules.image.REPO_ROOT);
    expect(image.inputs.dockerfile).toBe(path.join(modules.image.REPO_ROOT, "hub-app", "Dockerfile"));
    expect(image.inputs.platform).toBe("linux/amd64");
    expect(uri).toBe(`123456789012.dkr.ecr.eu-west-1.amazonaws.com/mocked-built-image@sha256:mocked`);
    expect(recorder.parentOf(image)?.type).toBe("hub:shared:HubImage");
  });

  it("lets the one tag awsx re-pushes on every build move, and no other (the second `pulumi up` pushes again)", async () => {
    await settled(recorder);
    const repository = recorder.one("aws:ecr/repository:Repository", "built-repository").inputs;
    const image = recorder.one("awsx:ecr:Image", "built-image").inputs;
    // No tag or name of ours: awsx 3.9 tags `<sha1 of where the build is>-container`, the same every build.
    expect(image.imageTag).toBeUndefined();
    expect(image.imageName).toBeUndefined();
    const awsxTag = `${"0123456789abcdef".repeat(2)}01234567-container`;
    expect(tagMayMove(repository, awsxTag)).toBe(true);
    expect(tagMayMove(repository, "v1.2.3")).toBe(false);
    expect(tagMayMove(repository, "latest")).toBe(false);
  });

  it("uses a prebuilt image as given and builds nothing", async () => {
    const before = (await settled(recorder)).resources.length;
    const hub = new modules.image.HubImage("given", {
      prebuiltImageUri: "ghcr.io/example/hub:1.2.3",
      keepImages: 10,
    });
    expect(await promiseOf(hub.imageUri)).toBe("ghcr.io/example/hub:1.2.3");
    expect(hub.repository).toBeUndefined();
    await settled(recorder);
    const made = recorder.resources.slice(before).map((r) => r.type);
    expect(made).toEqual(["hub:shared:HubImage"]);
  });
});

describe("HubToken", () => {
  it("stores a generated alphanumeric token in Secrets Manager and exposes it only as a secret", async () => {
    const token = new modules.token.HubToken("api");
    await settled(recorder);
    const password = recorder.one("random:index/randomPassword:RandomPassword", "api-value");
    expect(password.inputs).toMatchObject({ length: 48, special: false });
    const version = recorder.one("aws:secretsmanager/secretVersion:SecretVersion", "api-version");
    expect(version.inputs.secretId).toBe("mocked::aws:secretsmanager/secret:Secret::api-secret");
    // Pulumi marks secret inputs with its secret signature; the value underneath is the password.
    expect(version.inputs.secretString).toEqual({
      [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig,
      value: "mocked-password-api-value",
    });
    expect(await pulumi.isSecret(token.token)).toBe(true);
    expect(await promiseOf(token.secretArn)).toMatch(/^arn:aws:secretsmanager:.*api-secret$/);
    // Output.resources() is internal to Pulumi, but it is what orders the engine's work.
    const dependencies = (token.secretArn as unknown as { resources(): Set<pulumi.Resource> }).resources();
    const urns = await Promise.all([...dependencies].map((r) => promiseOf(r.urn)));
    expect(urns.some((urn) => urn.endsWith("SecretVersion::api-version"))).toBe(true);
  });

  it("refuses a token shorter than 32 characters", () => {
    expect(() => new modules.token.HubToken("short", { length: 16 })).toThrow(
      /HubToken length must be a whole number of at least 32, got 16/,
    );
  });
});
