/**
 * Every key of the stack's configuration, its default and its allowed values. Each key's meaning is
 * its .describe(): docs/configuration.md is generated from this schema (npm run docs:env).
 */
import { z } from "zod";
import { CANDIDATES } from "./candidates";
import {
  acmCertificateArn,
  cidr,
  instanceType,
  logRetentionDays,
  LOG_RETENTION_DAYS,
  roleArn,
  vpcCidr,
} from "./config-values";
import { hubSchema } from "./hub-config-schema";

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
