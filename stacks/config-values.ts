/** Value schemas the stack's config groups share: CIDRs, ARNs, log retention, instance types (stacks/config-schema.ts). */
import { z } from "zod";
import { INSTANCE_SHAPES } from "../components/eks/instance-types";
import { ipv4CidrProblem, prefixLength } from "./cidr";

export const cidr = z.string().superRefine((value, ctx) => {
  const problem = ipv4CidrProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: "custom", message: `${problem} (got "${value}")` });
});
// Subnets for 2-3 AZs, public and private, with room for the pods' prefixes: /16 to /20.
export const vpcCidr = cidr.refine(
  (value) => ipv4CidrProblem(value) !== undefined || (prefixLength(value) >= 16 && prefixLength(value) <= 20),
  {
    message:
      "must have a prefix length from /16 to /20: the VPC holds public and private subnets in each AZ and the pods' addresses",
  },
);
export const roleArn = z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, "must be an IAM role ARN");
/** The values CloudWatch Logs accepts for retention (CloudWatch Logs API, PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
export const logRetentionDays = z
  .number()
  .int()
  .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
    message: `must be one of ${LOG_RETENTION_DAYS.join(", ")}`,
  });

export const acmCertificateArn = z.string().regex(/^arn:aws[a-z-]*:acm:/, "must be an ACM certificate ARN");

// Pod density is computed per type (max pods with prefix delegation, allocatable CPU and memory).
export const instanceType = z.string().refine((type) => Object.hasOwn(INSTANCE_SHAPES, type), {
  message: `must be an instance type whose pod density is known: ${Object.keys(INSTANCE_SHAPES).join(", ")}`,
});
