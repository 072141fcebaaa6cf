import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { keepLastImagesPolicy } from "./ecr-lifecycle";

/** The repository root: the Hub's Dockerfile copies the workspace's lockfile, so it builds from here. */
export const REPO_ROOT = path.join(__dirname, "..", "..");

/**
 * awsx.ecr.Image without `imageTag` pushes every build under one tag, `<sha1 of context path,
 * dockerfile, build args and stack>-container` (pulumi-awsx 3.9, awsx/ecr/image.ts, createUniqueImageName):
 * a hash of where the build is, not of what it contains, so a changed Hub is pushed under the tag of the
 * last one. That tag alone may move; every other tag stays immutable. Nothing runs the tag: the Hubs
 * get `<repository>@sha256:<digest>`, and older images stay by digest until the lifecycle rule expires them.
 */
export const AWSX_BUILD_TAG_FILTER = { filter: "*-container", filterType: "WILDCARD" } as const;

export interface HubImageArgs {
  /** A prebuilt image URI; when set nothing is built and no repository is made. */
  readonly prebuiltImageUri?: string;
  /** How many images the ECR lifecycle policy keeps. Required; the stack's default comes from `stacks/config-schema.ts` (`hub.keepImages`). */
  readonly keepImages: number;
  /** Build platform; the EKS nodes and Fargate tasks run x86_64. @default "linux/amd64" */
  readonly platform?: string;
}

/** The Hub's container image: built from hub-app/Dockerfile into a scanned ECR repository, or given. */
export class HubImage extends pulumi.ComponentResource {
  public readonly imageUri: pulumi.Output<string>;
  /** Undefined when a prebuilt image is used. */
  public readonly repository?: aws.ecr.Repository;

  constructor(name: string, args: HubImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hub:shared:HubImage", name, {}, opts);
    if (args.prebuiltImageUri !== undefined) {
      this.imageUri = pulumi.output(args.prebuiltImageUri);
      this.registerOutputs({ imageUri: this.imageUri });
      return;
    }
    const repository = new aws.ecr.Repository(
      `${name}-repository`,
      {
        imageScanningConfiguration: { scanOnPush: true },
        imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
        imageTagMutabilityExclusionFilters: [{ ...AWSX_BUILD_TAG_FILTER }],
        // The repository only holds images this stack builds; destroying the stack removes them.
        forceDelete: true,
      },
      { parent: this },
    );
    new aws.ecr.LifecyclePolicy(
      `${name}-lifecycle`,
      { repository: repository.name, policy: keepLastImagesPolicy(args.keepImages) },
      { parent: this },
    );
    const image = new awsx.ecr.Image(
      `${name}-image`,
      {
        repositoryUrl: repository.repositoryUrl,
        context: REPO_ROOT,
        dockerfile: path.join(REPO_ROOT, "hub-app", "Dockerfile"),
        platform: args.platform ?? "linux/amd64",
      },
      { parent: this },
    );
    this.repository = repository;
    this.imageUri = image.imageUri;
    this.registerOutputs({ imageUri: this.imageUri, repositoryUrl: repository.repositoryUrl });
  }
}
