/**
 * A Hub's DNS as a stack deploys it: the records in `hub.route53ZoneId` when one is given, and what an
 * operator needs either way (the load balancer, the names its certificate must cover).
 */
import type * as pulumi from "@pulumi/pulumi";
import { HubDnsRecords, type DnsTarget } from "../components/shared/hub-dns-records";
import { certificateNames, type HubNames } from "./hub-names";

/** What DNS and the certificate need: the names, and the load balancer they lead to. */
export interface HubDnsOutput {
  /** The load balancer's own DNS name: the target of the records. */
  readonly loadBalancer: pulumi.Output<string>;
  /** The Hub's name and `*.<preview domain>`: the records to make and the names the certificate must cover. */
  readonly names: string[];
  /** Whether the stack made the records (hub.route53ZoneId). */
  readonly recordsManaged: boolean;
}

export function deployHubDns(
  name: string,
  args: {
    readonly zoneId: string | undefined;
    readonly names: HubNames;
    readonly loadBalancer: pulumi.Output<string>;
    readonly target: DnsTarget;
  },
): HubDnsOutput {
  const names = certificateNames(args.names);
  if (args.zoneId !== undefined && names.length > 0) {
    new HubDnsRecords(name, { zoneId: args.zoneId, names: args.names, target: args.target });
  }
  return {
    loadBalancer: args.loadBalancer,
    names,
    recordsManaged: args.zoneId !== undefined && names.length > 0,
  };
}
