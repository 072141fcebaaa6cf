/** `sandbox-platform:hub.*`: the Hub's image, size, names and warm pools (one group of stacks/config-schema.ts). */
import { z } from "zod";
import { CANDIDATES } from "./candidates";
import { dnsNameSchema, hostedZoneIdSchema } from "./hub-names";
import { DEFAULT_WARM_POOLS, warmPoolsSchema } from "./warm-pools";

export const hubSchema = z
  .object({
    imageUri: z
      .string()
      .min(1)
      .optional()
      .meta({ defaultInWords: "(build)" })
      .describe("a prebuilt Hub image; unset: built from `hub-app/Dockerfile` into ECR"),
    keepImages: z.number().int().min(1).max(1000).default(10).describe("ECR lifecycle: Hub images kept"),
    replicas: z.number().int().min(1).max(20).default(2).describe("Hub pods (EKS) or tasks (ECS), 1-20"),
    sandboxImage: z
      .string()
      .min(1)
      .default("public.ecr.aws/docker/library/python:3.12-slim")
      .describe(
        "`HUB_DEFAULT_IMAGE`: the image when a request names none; pre-pulled on every EKS worker; the image of the default ECS task definition. A `public.ecr.aws/` image is pulled through the stack's ECR cache",
      ),
    pullThroughCache: z
      .boolean()
      .default(true)
      .describe(
        "an ECR pull-through cache rule for `public.ecr.aws` (prefix `<stack>-ecr-public`) that `hub.sandboxImage` and `hub.prePullImages` are pulled through; `false`: pulled from ECR Public directly (anonymous, capped per month, through the NAT)",
      ),
    prePullImages: z
      .array(z.string().min(1))
      .max(20)
      .refine((list) => new Set(list).size === list.length, "must not repeat an image")
      .default([])
      .describe(
        "more images every EKS worker keeps pulled (course images), at most 20; a change re-pulls them on every worker",
      ),
    sandboxCpu: z
      .number()
      .min(0.1)
      .max(4)
      .default(0.1)
      .describe(
        "vCPU of each placeholder, the LimitRange default, the default ECS task definition's size and the Hub's default size (`HUB_DEFAULT_CPU`)",
      ),
    sandboxMemoryMiB: z
      .number()
      .int()
      .min(128)
      .max(8192)
      .default(128)
      .describe(
        "memory (MiB) of each placeholder, the LimitRange default, the default ECS task definition's size and the Hub's default size (`HUB_DEFAULT_MEMORY_MIB`)",
      ),
    hostname: dnsNameSchema
      .optional()
      .describe(
        "the Hub's own DNS name (`hub.example.com`): `hubUrl` and `HUB_PUBLIC_URL`; in `dev` each Hub gets its platform's label in front (`eks.hub.example.com`, `ecs.hub.example.com`); a certificate must cover it",
      ),
    previewDomain: dnsNameSchema
      .optional()
      .describe(
        "host-based port URLs `https://<id>-<port>.<domain>/` (`HUB_PREVIEW_DOMAIN`); needs each Hub's certificate to cover `*.<domain>`. Unset: path-based URLs on the Hub's address, which break apps that emit absolute paths ([the Hub](hub.md))",
      ),
    route53ZoneId: hostedZoneIdSchema
      .optional()
      .describe(
        "Route 53 hosted zone (`Z...`) the stack writes the records for `hub.hostname` and `*.<previewDomain>` into (CNAME to the EKS NLB, alias to the ECS ALB); the names must lie in it. Unset: make them yourself, towards the `dns.loadBalancer` output",
      ),
    warmPools: warmPoolsSchema
      .optional()
      .meta({ defaultInWords: defaultWarmPoolsInWords() })
      .describe(
        "per candidate, a list of at most 20 pools `{ image?, cpu?, memoryMiB?, size, maxAgeSeconds? }` (unset fields: the Hub's defaults; size 0-1000, at most 1000 members per Hub) the Hub keeps warm (`HUB_WARM_POOLS`); a candidate not named keeps its default, `[]` turns it off. Sizing and cost: [infrastructure](infrastructure.md#warm-pools)",
      ),
    fargateVcpuQuota: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .optional()
      .describe(
        "the account's Fargate On-Demand vCPU quota in the region: the stack refuses warm pools that, with the ECS Hub's tasks, would leave none of it for students",
      ),
  })
  .strict();

/** `eks-ec2`: none; `eks-fargate`, `ecs-fargate`: `[{ size: 10 }]`, from DEFAULT_WARM_POOLS. */
function defaultWarmPoolsInWords(): string {
  const candidatesByPools = new Map<string, string[]>();
  for (const candidate of CANDIDATES) {
    const pools = DEFAULT_WARM_POOLS[candidate];
    const words =
      pools.length === 0
        ? "none"
        : `\`[${pools
            .map(
              (pool) =>
                `{ ${Object.entries(pool)
                  .map(([key, value]) => `${key}: ${JSON.stringify(value)}`)
                  .join(", ")} }`,
            )
            .join(", ")}]\``;
    candidatesByPools.set(words, [...(candidatesByPools.get(words) ?? []), `\`${candidate}\``]);
  }
  return [...candidatesByPools].map(([words, candidates]) => `${candidates.join(", ")}: ${words}`).join("; ");
}
