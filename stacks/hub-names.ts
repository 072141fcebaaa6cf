/**
 * The DNS names a Hub answers to: its own (`hub.hostname`) and the parent of its host-based port URLs
 * (`hub.previewDomain`, `<id>-<port>.<domain>`). A stack runs one Hub per platform: the names as
 * configured when there is one, each Hub's under its platform's label when there are two (dev), since
 * one name cannot lead to two load balancers.
 */
import { z } from "zod";
import { hubDnsRecordSpecs } from "../components/shared/hub-dns-records";
import type { Candidate } from "./candidates";

// RFC 1035 labels (letters, digits, inner hyphens, at most 63 each), lowercase, at least two of them.
const DNS_NAME = /^(?=.{1,180}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;

export const dnsNameSchema = z
  .string()
  .regex(
    DNS_NAME,
    "must be a lowercase DNS name such as hub.example.com: at least two labels of letters, digits and inner hyphens, at most 180 characters, no scheme, port or trailing dot",
  );

/** A Route 53 hosted zone id as the console shows it (Z followed by letters and digits). */
export const hostedZoneIdSchema = z
  .string()
  .regex(/^Z[A-Z0-9]{1,31}$/, "must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ");

export type HubPlatform = "eks" | "ecs";

/** The Hubs a stack runs: one for every EKS candidate together, one for ECS. */
export function hubPlatforms(candidates: readonly Candidate[]): HubPlatform[] {
  return [
    ...(candidates.some((c) => c.startsWith("eks-")) ? (["eks"] as const) : []),
    ...(candidates.includes("ecs-fargate") ? (["ecs"] as const) : []),
  ];
}

export interface HubNameConfig {
  readonly hostname?: string;
  readonly previewDomain?: string;
}

export interface HubNames {
  /** The Hub's own name: its URL and HUB_PUBLIC_URL. */
  readonly hostname?: string;
  /** HUB_PREVIEW_DOMAIN. */
  readonly previewDomain?: string;
}

export function hubNamesFor(
  config: HubNameConfig,
  platform: HubPlatform,
  platforms: readonly HubPlatform[],
): HubNames {
  if (!platforms.includes(platform)) throw new Error(`this stack runs no ${platform} Hub`);
  const named = (name: string | undefined) =>
    name === undefined ? undefined : platforms.length > 1 ? `${platform}.${name}` : name;
  const hostname = named(config.hostname);
  const previewDomain = named(config.previewDomain);
  return {
    ...(hostname === undefined ? {} : { hostname }),
    ...(previewDomain === undefined ? {} : { previewDomain }),
  };
}

/** The names the Hub's certificate must cover (as subject alternative names). */
export function certificateNames(names: HubNames): string[] {
  return hubDnsRecordSpecs(names).map((spec) => spec.name);
}
