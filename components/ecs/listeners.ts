import { hubUrlFor } from "../shared/hub-port-urls";

/** The Hub load balancer's listeners: plain HTTP, or HTTPS with HTTP redirected to it. */
export interface ListenerSpec {
  readonly port: number;
  readonly protocol: "HTTP" | "HTTPS";
  readonly action: "forward" | "redirect-to-https";
  readonly certificateArn?: string;
}

/** TLS 1.2 and 1.3 only (ELB docs, "Security policies for your Application Load Balancer"). */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/** The longest a single command may run in the Hub: the ECS Hub's HUB_RUN_TIMEOUT_MAX_MS (hub-environment.ts). */
export const HUB_RUN_TIMEOUT_MAX_SECONDS = 600;

/**
 * Idle connections outlive the longest command, so a quiet run is not cut at the ALB's 60 s default; the
 * same timeout holds a student's quiet WebSocket (a dev server's hot reload) for 11 minutes (ELB docs,
 * "Connection idle timeout": it applies to WebSocket connections too).
 */
export const LOAD_BALANCER_IDLE_TIMEOUT_SECONDS = HUB_RUN_TIMEOUT_MAX_SECONDS + 60;

export function listenerPlan(certificateArn: string | undefined): ListenerSpec[] {
  if (certificateArn === undefined) return [{ port: 80, protocol: "HTTP", action: "forward" }];
  return [
    { port: 80, protocol: "HTTP", action: "redirect-to-https" },
    { port: 443, protocol: "HTTPS", action: "forward", certificateArn },
  ];
}

/** The Hub's URL: https with a certificate; its own name when it has one, else the load balancer's. */
export function hubUrl(dnsName: string, certificateArn: string | undefined, hostname?: string): string {
  return hubUrlFor(certificateArn === undefined ? "http" : "https", dnsName, hostname);
}
