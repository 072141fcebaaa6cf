import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  cachedImage,
  ECR_PUBLIC_REGISTRY,
  imageCachePullPolicy,
  privateRegistryHost,
} from "./image-cache-rules";

export interface ImageCacheArgs {
  /** Repository prefix of the cached images (cacheRepositoryPrefix): unique per stack. */
  readonly prefix: string;
}

/**
 * An ECR pull-through cache rule for ECR Public: images under public.ecr.aws are pulled once into this
 * account's registry and served from there, instead of every Fargate sandbox and every new node pulling
 * anonymously through the NAT address, where ECR Public caps anonymous data per month.
 */
export class ImageCache extends pulumi.ComponentResource {
  public readonly rule: aws.ecr.PullThroughCacheRule;
  public readonly prefix: string;
  /** IAM JSON for the roles that pull sandbox images (node role, pod and task execution roles). */
  public readonly pullPolicy: pulumi.Output<string>;
  private readonly registryHost: pulumi.Output<string>;

  constructor(name: string, args: ImageCacheArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hub:shared:ImageCache", name, {}, opts);
    this.prefix = args.prefix;
    const partition = aws.getPartitionOutput({}, { parent: this });
    const region = aws.getRegionOutput({}, { parent: this }).region;
    const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
    this.rule = new aws.ecr.PullThroughCacheRule(
      `${name}-ecr-public`,
      { ecrRepositoryPrefix: args.prefix, upstreamRegistryUrl: ECR_PUBLIC_REGISTRY },
      { parent: this },
    );
    // The rule's id in the host: whatever pulls a cached image waits for the rule to exist.
    this.registryHost = pulumi
      .all([accountId, region, partition.dnsSuffix, this.rule.id])
      .apply(([account, r, dnsSuffix]) => privateRegistryHost(account, r, dnsSuffix));
    this.pullPolicy = pulumi
      .all([partition.partition, region, accountId])
      .apply(([p, r, account]) => imageCachePullPolicy(p, r, account, args.prefix));
    this.registerOutputs({ prefix: this.prefix, ruleId: this.rule.id });
  }

  /** The image as pulled through this cache (public.ecr.aws images only; others unchanged). */
  imageFor(image: string): pulumi.Output<string> {
    return this.registryHost.apply((host) => cachedImage(image, host, this.prefix));
  }
}
