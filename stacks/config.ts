/**
 * The one place stack configuration is read and validated. Every key, its default and its
 * allowed values are here; a bad value stops the program with the key's full name
 * (`sandbox-platform:eks.workerMax`) and what is allowed.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { INSTANCE_SHAPES } from "../components/eks/instance-types";
import { CANDIDATES } from "./candidates";
import { ipv4CidrProblem, prefixLength } from "./cidr";
import { configProblems } from "./config-checks";
import { dnsNameSchema, hostedZoneIdSchema } from "./hub-names";
import { warmPoolsSchema } from "./warm-pools";

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
    vpcCidr: vpcCidr.default("10.0.0.0/16"),
    /** Availability zones for subnets. */
    availabilityZones: z.number().int().min(2).max(3).default(3),
    /** `single` saves money, `onePerAz` survives an AZ outage. */
    natGateways: z.enum(["single", "onePerAz"]).default("single"),
    /** Interface endpoints for ECR, STS and CloudWatch Logs plus the S3 gateway: fewer NAT bytes, faster pulls. */
    vpcEndpoints: z.boolean().default(false),
  })
  .strict();

const hubSchema = z
  .object({
    /** A prebuilt Hub image URI; when unset the image is built from hub-app/Dockerfile into ECR. */
    imageUri: z.string().min(1).optional(),
    /** ECR lifecycle: how many Hub images to keep. */
    keepImages: z.number().int().min(1).max(1000).default(10),
    replicas: z.number().int().min(1).max(20).default(2),
    /** Image sandboxes start from when a request names none. */
    sandboxImage: z.string().min(1).default("public.ecr.aws/docker/library/python:3.12-slim"),
    /** Serve public.ecr.aws images (sandboxImage, prePullImages) from an ECR pull-through cache in the account. */
    pullThroughCache: z.boolean().default(true),
    /** More images the EKS workers keep pulled besides sandboxImage (course images); a change re-pulls on every worker. */
    prePullImages: z
      .array(z.string().min(1))
      .max(20)
      .refine((list) => new Set(list).size === list.length, "must not repeat an image")
      .default([]),
    /** Default sandbox size, also the size of each overprovisioning placeholder. */
    sandboxCpu: z.number().min(0.1).max(4).default(0.1),
    sandboxMemoryMiB: z.number().int().min(128).max(8192).default(128),
    /** The Hub's own DNS name: its URL and HUB_PUBLIC_URL; a certificate must cover it. */
    hostname: dnsNameSchema.optional(),
    /** Parent of host-based port URLs (`<id>-<port>.<domain>`, HUB_PREVIEW_DOMAIN); unset: path-based URLs. */
    previewDomain: dnsNameSchema.optional(),
    /** Route 53 zone that gets the records for hostname and `*.previewDomain`; unset: make them yourself. */
    route53ZoneId: hostedZoneIdSchema.optional(),
    /** Warm pools per candidate (stacks/warm-pools.ts); a candidate not named keeps its default. */
    warmPools: warmPoolsSchema.optional(),
    /** The account's Fargate On-Demand vCPU quota here: warm members on Fargate must leave room under it. */
    fargateVcpuQuota: z.number().int().min(1).max(1_000_000).optional(),
  })
  .strict();

const acmCertificateArn = z.string().regex(/^arn:aws[a-z-]*:acm:/, "must be an ACM certificate ARN");

// Pod density is computed per type (max pods with prefix delegation, allocatable CPU and memory).
const instanceType = z.string().refine((type) => Object.hasOwn(INSTANCE_SHAPES, type), {
  message: `must be an instance type whose pod density is known: ${Object.keys(INSTANCE_SHAPES).join(", ")}`,
});

const eksSchema = z
  .object({
    /** Pinned control-plane version. */
    kubernetesVersion: z
      .string()
      .regex(/^1\.\d{2}$/, "must be a Kubernetes minor version such as 1.34")
      .default("1.34"),
    /** Role given cluster-admin through an access entry; unset: only the creator. */
    adminRoleArn: roleArn.optional(),
    /** Who may reach the public API endpoint. */
    publicAccessCidrs: z.array(cidr).min(1).default(["0.0.0.0/0"]),
    managerInstanceType: instanceType.default("m6i.large"),
    managerNodes: z.number().int().min(1).max(10).default(2),
    workerInstanceType: instanceType.default("m6i.2xlarge"),
    workerMin: z.number().int().min(0).max(1000).default(1),
    workerDesired: z.number().int().min(0).max(1000).default(2),
    /** The original study ran 13 workers. */
    workerMax: z.number().int().min(1).max(1000).default(13),
    /** Expected sandbox creations per second at peak; sizes the overprovisioning headroom. */
    createRatePerSecond: z.number().min(0).max(1000).default(1),
    /** How long the cluster-autoscaler takes to add a ready node (the study measured ~90 s). */
    nodeProvisioningSeconds: z.number().int().min(1).max(1800).default(90),
    /** Chart 9.52.1 ships cluster-autoscaler 1.34, the minor of the default Kubernetes version. */
    clusterAutoscalerChartVersion: z.string().min(1).default("9.52.1"),
    logRetentionDays: logRetentionDays.default(30),
    /** ACM certificate: the Hub's NLB then listens for TLS on 443 only (no plain HTTP). */
    certificateArn: acmCertificateArn.optional(),
  })
  .strict()
  .refine((e) => e.workerMin <= e.workerDesired && e.workerDesired <= e.workerMax, {
    message: "must satisfy workerMin <= workerDesired <= workerMax",
    path: ["workerDesired"],
  });

const ecsSchema = z
  .object({
    /** Use FARGATE_SPOT for sandboxes (cheaper, can be interrupted). */
    fargateSpot: z.boolean().default(false),
    /** ACM certificate for an HTTPS listener on the Hub's load balancer. */
    certificateArn: acmCertificateArn.optional(),
    logRetentionDays: logRetentionDays.default(30),
    /** Hub task size in vCPU units (1024 = 1 vCPU). */
    hubCpuUnits: z.number().int().min(256).max(4096).default(512),
    hubMemoryMiB: z.number().int().min(512).max(30720).default(1024),
  })
  .strict();

export const stackConfigSchema = z.object({
  /** Which candidates this stack deploys; the dev stack deploys all three side by side. */
  candidates: z
    .array(z.enum(CANDIDATES))
    .min(1)
    .refine((list) => new Set(list).size === list.length, "must not repeat a candidate"),
  network: networkSchema.default(networkSchema.parse({})),
  hub: hubSchema.default(hubSchema.parse({})),
  eks: eksSchema.default(eksSchema.parse({})),
  ecs: ecsSchema.default(ecsSchema.parse({})),
});

export type StackConfig = z.output<typeof stackConfigSchema>;
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
