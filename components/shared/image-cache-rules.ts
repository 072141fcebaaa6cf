/**
 * Pure parts of the ECR pull-through cache for ECR Public: the repository prefix, how an image
 * reference is rewritten to the cache, and the IAM the pulling roles need (ECR docs, "Sync an upstream
 * registry with an Amazon ECR private registry" and "IAM permissions required to sync an upstream registry").
 */
import { createHash } from "node:crypto";

export const ECR_PUBLIC_REGISTRY = "public.ecr.aws";

/** ECR API CreatePullThroughCacheRule, ecrRepositoryPrefix: 2-30 characters of this shape. */
const PREFIX_SHAPE = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const PREFIX_MAX = 30;
const SUFFIX = "-ecr-public";

/**
 * One rule per stack, so two stacks in an account never fight over one prefix and a destroy removes
 * only its own: `<stack>-ecr-public`, shortened with a hash when longer than ECR allows.
 */
export function cacheRepositoryPrefix(stack: string): string {
  const slug = stack
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  const room = PREFIX_MAX - SUFFIX.length;
  const short =
    slug.length <= room
      ? slug
      : `${slug.slice(0, room - 7).replace(/-+$/, "")}-${createHash("sha256").update(slug).digest("hex").slice(0, 6)}`;
  const prefix = `${short}${SUFFIX}`;
  if (!PREFIX_SHAPE.test(prefix)) throw new Error(`cannot make an ECR cache prefix from stack "${stack}"`);
  return prefix;
}

/** The account's private registry host (ECR docs, "Private registry concepts"). */
export function privateRegistryHost(accountId: string, region: string, dnsSuffix: string): string {
  return `${accountId}.dkr.ecr.${region}.${dnsSuffix}`;
}

/** `public.ecr.aws/docker/library/python:3.12-slim` -> `<registry>/<prefix>/docker/library/python:3.12-slim`; other images unchanged. */
export function cachedImage(image: string, registryHost: string, prefix: string): string {
  const upstream = `${ECR_PUBLIC_REGISTRY}/`;
  return image.startsWith(upstream) ? `${registryHost}/${prefix}/${image.slice(upstream.length)}` : image;
}

/**
 * What a role that pulls through the cache needs beyond ordinary ECR pulls: import the upstream image,
 * and create its repository on the first pull, only under this stack's prefix.
 */
export function imageCachePullPolicy(
  partition: string,
  region: string,
  accountId: string,
  prefix: string,
): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "PullThroughThisStacksCache",
        Effect: "Allow",
        Action: ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
        Resource: `arn:${partition}:ecr:${region}:${accountId}:repository/${prefix}/*`,
      },
    ],
  });
}
