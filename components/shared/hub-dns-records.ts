import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The names a Hub answers to. */
export interface HubDnsNames {
  /** The Hub's own name. */
  readonly hostname?: string;
  /** Parent of the host-based port URLs: the record and certificate name is `*.<previewDomain>`. */
  readonly previewDomain?: string;
}

export interface DnsRecordSpec {
  /** Suffix of the record's resource name. */
  readonly role: "hub" | "previews";
  readonly name: string;
}

/** The records (and the certificate's names): the Hub's name and the previews' wildcard. */
export function hubDnsRecordSpecs(names: HubDnsNames): DnsRecordSpec[] {
  return [
    ...(names.hostname === undefined ? [] : [{ role: "hub" as const, name: names.hostname }]),
    ...(names.previewDomain === undefined
      ? []
      : [{ role: "previews" as const, name: `*.${names.previewDomain}` }]),
  ];
}

const apexOf = (zone: string) => zone.replace(/\.$/, "").toLowerCase();

/** Whether `name` lies in the hosted zone `zone` (Route 53 writes zone names with a trailing dot). */
export function inZone(name: string, zone: string): boolean {
  const apex = apexOf(zone);
  const bare = name.replace(/^\*\./, "");
  return bare === apex || bare.endsWith(`.${apex}`);
}

/**
 * Why the records cannot go in `zone`, or undefined when they can: each name must lie in it, and a CNAME
 * may not sit at its apex (RFC 1034 3.6.2: a CNAME owns no other data, and the apex has SOA and NS).
 */
export function zoneProblem(
  specs: readonly DnsRecordSpec[],
  zone: string,
  kind: DnsTarget["kind"],
): string | undefined {
  const outside = specs.filter((spec) => !inZone(spec.name, zone)).map((spec) => spec.name);
  if (outside.length > 0)
    return `${outside.join(" and ")} ${outside.length === 1 ? "lies" : "lie"} outside it`;
  const atApex = specs.find((spec) => spec.name === apexOf(zone));
  if (kind === "cname" && atApex !== undefined) {
    return `${atApex.name} is its apex, where the CNAME this Hub's NLB needs is not allowed: use a name below it`;
  }
  return undefined;
}

/**
 * Where the records lead. An NLB made by Kubernetes' service controller is known only by the hostname in
 * the Service's status, so a CNAME; an ALB of our own by its DNS name and zone, so an alias A record
 * (Route 53 Developer Guide, "Choosing between alias and non-alias records").
 */
export type DnsTarget =
  | { readonly kind: "cname"; readonly hostname: pulumi.Input<string> }
  | { readonly kind: "alias"; readonly dnsName: pulumi.Input<string>; readonly zoneId: pulumi.Input<string> };

/** A minute: a replaced load balancer is found again soon, resolvers still cache most lookups. */
export const CNAME_TTL_SECONDS = 60;

export interface HubDnsRecordsArgs {
  /** The Route 53 hosted zone the names lie in. */
  readonly zoneId: string;
  readonly names: HubDnsNames;
  readonly target: DnsTarget;
}

/** The Hub's name and its previews' wildcard, pointing at the Hub's load balancer. */
export class HubDnsRecords extends pulumi.ComponentResource {
  public readonly records: aws.route53.Record[];

  constructor(name: string, args: HubDnsRecordsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hub:shared:HubDnsRecords", name, {}, opts);
    const specs = hubDnsRecordSpecs(args.names);
    // A name outside the zone would fail at Route 53 with a bare "not permitted in zone": say which key.
    const zoneId = aws.route53.getZoneOutput({ zoneId: args.zoneId }, { parent: this }).name.apply((zone) => {
      const problem = zoneProblem(specs, zone, args.target.kind);
      if (problem !== undefined)
        throw new Error(`hub.route53ZoneId ${args.zoneId} is the zone ${zone}; ${problem}`);
      return args.zoneId;
    });
    this.records = specs.map(
      (spec) =>
        new aws.route53.Record(
          `${name}-${spec.role}`,
          {
            zoneId,
            name: spec.name,
            ...(args.target.kind === "cname"
              ? { type: "CNAME", ttl: CNAME_TTL_SECONDS, records: [args.target.hostname] }
              : {
                  type: "A",
                  aliases: [
                    { name: args.target.dnsName, zoneId: args.target.zoneId, evaluateTargetHealth: true },
                  ],
                }),
          },
          { parent: this },
        ),
    );
    this.registerOutputs({ names: specs.map((spec) => spec.name) });
  }
}
