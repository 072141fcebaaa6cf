/**
 * The one place stack configuration is read and validated. Every key, its default and its
 * allowed values are here; a bad value stops the program with the key's full name
 * (`sandbox-platform:eks.workerMax`) and what is allowed. Each key's meaning is its .describe():
 * docs/configuration.md is generated from this file (npm run docs:env).
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { INSTANCE_SHAPES } from "../components/eks/instance-types";
import { CANDIDATES } from "./candidates";
import { ipv4CidrProblem, prefixLength } from "./cidr";
import { configProblems } from "./config-checks";
import { dnsNameSchema, hostedZoneIdSchema } from "./hub-names";
import { DEFAULT_WARM_POOLS, warmPoolsSchema } from "./warm-pools";

export const PROJECT = "sandbox-platform";

export { CANDIDATES, type Candidate } from "./candidates";

const cidr = z.string().superRefine((value, ctx) => {
  const problem = ipv4CidrProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: "custom", message: `${problem} (got "${value}")` });
});
// Subnets for 2-3 AZs, public and private, with room for the pods' prefixes: /16 to /20.
const vpcCidr = cidr.refine(
  (value) => ipv4CidrProblem(value) !== undefined || (prefixLength(value) >= 16 && prefixLength(value) <= 20),
  {
    message:
      "must have a prefix length from /16 to /20: the VPC holds public and private subnets in each AZ and the pods' addresses",
  },
);
const roleArn = z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, "must be an IAM role ARN");
/** The values CloudWatch Logs accepts for retention (CloudWatch Logs API, PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
const logRetentionDays = z
  .number()
  .int()
  .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
    message: `must be one of ${LOG_RETENTION_DAYS.join(", ")}`,
  });

const networkSchema = z
  .object({
    vpcCidr: vpcCidr
      .default("10.0.0.0/16")
      .describe("VPC range, /16 to /20 with its host bits zero; also excluded from EKS sandbox egress"),
    availabilityZones: z
      .number()
      .int()
      .min(2)
      .max(3)
      .default(3)
      .describe("availability zones for subnets: 2 or 3"),
    natGateways: z
      .enum(["single", "onePerAz"])
      .default("single")
      .describe("`single` (saves money) or `onePerAz` (survives an AZ outage)"),
    vpcEndpoints: z
      .boolean()
      .default(false)
      .describe(
        "interface endpoints for ECR, STS, logs and the S3 gateway endpoint: fewer NAT bytes, faster pulls",
      ),
  })
  .strict();

const hubSchema = z
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

const acmCertificateArn = z.string().regex(/^arn:aws[a-z-]*:acm:/, "must be an ACM certificate ARN");

// Pod density is computed per type (max pods with prefix delegation, allocatable CPU and memory).
const instanceType = z.string().refine((type) => Object.hasOwn(INSTANCE_SHAPES, type), {
  message: `must be an instance type whose pod density is known: ${Object.keys(INSTANCE_SHAPES).join(", ")}`,
});

const eksSchema = z
  .object({
    kubernetesVersion: z
      .string()
      .regex(/^1\.\d{2}$/, "must be a Kubernetes minor version such as 1.34")
      .default("1.34")
      .describe(
        "pinned control-plane version; the node groups, the `vpc-cni` and `coredns` add-ons (EKS's default build for it) and the Pod Security Standards version follow it",
      ),
    adminRoleArn: roleArn
      .optional()
      .describe("role given cluster-admin by an access entry (otherwise only the creator)"),
    publicAccessCidrs: z
      .array(cidr)
      .min(1)
      .default(["0.0.0.0/0"])
      .describe("who may reach the public API endpoint (the private endpoint is always on)"),
    managerInstanceType: instanceType
      .default("m6i.large")
      .describe("instance type of the untainted group for the Hub and add-ons"),
    managerNodes: z
      .number()
      .int()
      .min(1)
      .max(10)
      .default(2)
      .describe("nodes of the untainted group for the Hub and add-ons (1-10)"),
    workerInstanceType: instanceType
      .default("m6i.2xlarge")
      .describe(
        "sandbox workers; pod density is computed per type, so only t3.medium/large, m5/m6i/m7i large to 4xlarge and c6i large to 4xlarge are accepted",
      ),
    workerMin: z
      .number()
      .int()
      .min(0)
      .max(1000)
      .default(1)
      .describe("worker group minimum size, min <= desired <= max"),
    workerDesired: z
      .number()
      .int()
      .min(0)
      .max(1000)
      .default(2)
      .describe("worker group desired size, min <= desired <= max"),
    workerMax: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(13)
      .describe("worker group maximum size, min <= desired <= max (13 as in the original study)"),
    createRatePerSecond: z
      .number()
      .min(0)
      .max(1000)
      .default(1)
      .describe("expected peak creates per second: sizes the placeholder headroom"),
    nodeProvisioningSeconds: z
      .number()
      .int()
      .min(1)
      .max(1800)
      .default(90)
      .describe("time for the autoscaler to add a ready node (the study measured ~90 s): sizes the headroom"),
    // Chart 9.52.1 ships cluster-autoscaler 1.34, the minor of the default Kubernetes version.
    clusterAutoscalerChartVersion: z
      .string()
      .min(1)
      .default("9.52.1")
      .describe("pinned Helm chart (cluster-autoscaler 1.34)"),
    logRetentionDays: logRetentionDays
      .default(30)
      .describe(
        `retention of \`/aws/eks/<cluster>/cluster\`, the control-plane log group the stack makes before the cluster; a value CloudWatch Logs accepts (${LOG_RETENTION_DAYS.join(", ")})`,
      ),
    certificateArn: acmCertificateArn
      .optional()
      .describe(
        "ACM certificate covering `hub.hostname` and `*.<hub.previewDomain>`: the Hub's NLB terminates TLS on 443 (policy `ELBSecurityPolicy-TLS13-1-2-2021-06`) and opens no plain port; `hubUrl` becomes `https://`; needs `hub.hostname`",
      ),
  })
  .strict()
  .refine((e) => e.workerMin <= e.workerDesired && e.workerDesired <= e.workerMax, {
    message: "must satisfy workerMin <= workerDesired <= workerMax",
    path: ["workerDesired"],
  });

const ecsSchema = z
  .object({
    fargateSpot: z
      .boolean()
      .default(false)
      .describe(
        "run sandboxes on Fargate Spot (cheaper, reclaimable with two minutes' notice); the Hub itself stays on on-demand Fargate",
      ),
    certificateArn: acmCertificateArn
      .optional()
      .describe(
        "ACM certificate covering `hub.hostname` and `*.<hub.previewDomain>`: adds the HTTPS listener and turns HTTP into a 301 redirect; `hubUrl` becomes `https://`; needs `hub.hostname`",
      ),
    logRetentionDays: logRetentionDays
      .default(30)
      .describe("sandbox and Hub log retention, same allowed values as `eks.logRetentionDays`"),
    hubCpuUnits: z
      .number()
      .int()
      .min(256)
      .max(4096)
      .default(512)
      .describe(
        "the Hub's Fargate task CPU in vCPU units (1024 = 1 vCPU), rounded up to a valid Fargate pair",
      ),
    hubMemoryMiB: z
      .number()
      .int()
      .min(512)
      .max(30720)
      .default(1024)
      .describe("the Hub's Fargate task memory (MiB), rounded up to a valid Fargate pair"),
  })
  .strict();

export const stackConfigSchema = z.object({
  candidates: z
    .array(z.enum(CANDIDATES))
    .min(1)
    .refine((list) => new Set(list).size === list.length, "must not repeat a candidate")
    .describe(
      `which of ${CANDIDATES.map((c) => `\`${c}\``).join(", ")} this stack deploys; no repeats (the dev stack deploys all three side by side)`,
    ),
  network: networkSchema.default(networkSchema.parse({})),
  hub: hubSchema.default(hubSchema.parse({})),
  eks: eksSchema.default(eksSchema.parse({})),
  ecs: ecsSchema.default(ecsSchema.parse({})),
});

export type StackConfig = z.output<typeof stackConfigSchema>;

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
export type NetworkConfig = StackConfig["network"];
export type HubConfig = StackConfig["hub"];
export type EksConfig = StackConfig["eks"];
export type EcsConfig = StackConfig["ecs"];

/** Raw values as Pulumi holds them: objects and lists already parsed from YAML/JSON. */
export type RawStackConfig = Partial<Record<keyof StackConfig, unknown>>;

/**
 * Validates raw config: each key on its own, then, once all are valid, the checks across keys
 * (stacks/config-checks.ts), which rely on every key being valid. Throws one Error listing every bad key
 * with what is allowed.
 */
export function parseStackConfig(raw: RawStackConfig): StackConfig {
  // reportInput: a wrong type then says what it got, instead of reading as a missing key.
  const result = stackConfigSchema.safeParse(raw, { reportInput: true });
  const problems = result.success
    ? configProblems(result.data).map((issue) => ({ path: issue.path, text: issue.message }))
    : result.error.issues.map((issue) => ({ path: issue.path, text: describe(issue) }));
  if (result.success && problems.length === 0) return result.data;
  const lines = problems.map((problem) => `  ${PROJECT}:${keyPath(problem.path)}: ${problem.text}`);
  throw new Error(`invalid stack configuration:\n${lines.join("\n")}`);
}

/** Reads this stack's config from Pulumi (Pulumi.<stack>.yaml) and validates it. */
export function readStackConfig(): StackConfig {
  refuseUnknownKeys(Object.keys(pulumi.runtime.allConfig()));
  const config = new pulumi.Config(PROJECT);
  const raw: RawStackConfig = {};
  for (const key of Object.keys(stackConfigSchema.shape) as (keyof StackConfig)[]) {
    const value = config.getObject<unknown>(key);
    if (value !== undefined) raw[key] = value;
  }
  return parseStackConfig(raw);
}

/** A top-level typo (`sandbox-platform:ekss`) would otherwise be ignored and its values never used. */
export function refuseUnknownKeys(fullKeys: readonly string[]): void {
  const known = Object.keys(stackConfigSchema.shape);
  const unknown = fullKeys
    .filter((key) => key.startsWith(`${PROJECT}:`))
    .map((key) => key.slice(PROJECT.length + 1))
    .filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    throw new Error(
      `invalid stack configuration:\n  unknown key(s) ${unknown.map((k) => `${PROJECT}:${k}`).join(", ")}; allowed: ${known.join(", ")}`,
    );
  }
}

function keyPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`))
    .join("");
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_value")
    return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
  if (issue.code === "unrecognized_keys") return `unknown key(s) ${issue.keys.join(", ")}`;
  if (issue.code === "invalid_type") {
    return issue.input === undefined ? "is required" : `must be ${issue.expected}, got ${shown(issue.input)}`;
  }
  if (issue.code === "too_small" && typeof issue.input === "number")
    return `must be at least ${String(issue.minimum)}, got ${shown(issue.input)}`;
  if (issue.code === "too_big" && typeof issue.input === "number")
    return `must be at most ${String(issue.maximum)}, got ${shown(issue.input)}`;
  return issue.message;
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
