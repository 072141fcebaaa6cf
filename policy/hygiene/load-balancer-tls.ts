/**
 * Where a load balancer has a certificate, nothing reaches it in clear text: HTTP listeners only redirect
 * to HTTPS, an NLB Service terminates TLS on every port, and TLS is 1.2 or newer (ELB docs, "Create an
 * HTTPS listener", "Security policies"; cloud-provider-aws, Service annotations). The Hub's bearer token
 * crosses these listeners. A load balancer with no certificate at all (a first deploy) is left alone.
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { describe, entriesOf, linked, list, ofType } from "../lib/resources";
import { T } from "../lib/types";
import { Unknowns } from "../lib/unknowns";

/** TLS 1.2+ ELB security policies: the TLS13, TLS-1-2 and FS-1-2 families. */
export const isModernTlsPolicy = (name: unknown): boolean =>
  typeof name === "string" && /TLS13|TLS-1-2|FS-1-2/.test(name);

interface ListenerAction {
  type?: string;
  redirect?: { protocol?: string };
}

const ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-";

function checkListeners(
  resources: readonly PolicyResource[],
  unknowns: Unknowns,
  report: (m: string, urn: string) => void,
) {
  const byBalancer = new Map<string, PolicyResource[]>();
  unknowns.each(ofType(resources, T.lbListener, T.albListener), (listener) => {
    const key = linked(listener, "loadBalancerArn")[0]?.urn ?? String(listener.props.loadBalancerArn);
    byBalancer.set(key, [...(byBalancer.get(key) ?? []), listener]);
  });
  unknowns.each(byBalancer.values(), (group) => {
    const secure = group.filter(
      (l) => ["HTTPS", "TLS"].includes(String(l.props.protocol)) || l.props.certificateArn,
    );
    if (secure.length === 0) return;
    for (const listener of secure.filter((l) => !isModernTlsPolicy(l.props.sslPolicy))) {
      report(
        `${describe(listener)} uses TLS policy ${String(listener.props.sslPolicy ?? "default")}. Fix: sslPolicy "ELBSecurityPolicy-TLS13-1-2-2021-06".`,
        listener.urn,
      );
    }
    for (const listener of group.filter((l) => !secure.includes(l))) {
      const actions = list(listener.props.defaultActions as ListenerAction[] | undefined);
      const redirects =
        actions.length > 0 && actions.every((a) => a.type === "redirect" && a.redirect?.protocol === "HTTPS");
      if (!redirects) {
        report(
          `${describe(listener)} serves ${String(listener.props.protocol ?? "HTTP")} in clear beside an HTTPS listener. Fix: make its default action a redirect to HTTPS (listenerPlan).`,
          listener.urn,
        );
      }
    }
  });
}

function checkServices(
  resources: readonly PolicyResource[],
  unknowns: Unknowns,
  report: (m: string, urn: string) => void,
) {
  unknowns.each(ofType(resources, T.service), (service) => {
    if ((service.props.spec as { type?: string } | undefined)?.type !== "LoadBalancer") return;
    const annotations = Object.fromEntries(
      entriesOf((service.props.metadata as { annotations?: unknown })?.annotations),
    );
    if (annotations[`${ANNOTATION}ssl-cert`] === undefined) return;
    const tlsPorts = ((annotations[`${ANNOTATION}ssl-ports`] as string | undefined) ?? "*")
      .split(",")
      .map((p) => p.trim());
    const ports = list((service.props.spec as { ports?: { name?: string; port?: number }[] }).ports);
    const clear = ports.filter(
      (p) =>
        !tlsPorts.includes("*") && !tlsPorts.includes(p.name ?? "") && !tlsPorts.includes(String(p.port)),
    );
    if (clear.length > 0) {
      report(
        `${describe(service)} has a certificate but serves port ${clear.map((p) => p.port).join(", ")} in clear. Fix: list every port in ${ANNOTATION}ssl-ports, or drop the plain ones (hubServiceShape).`,
        service.urn,
      );
    }
    if (!isModernTlsPolicy(annotations[`${ANNOTATION}ssl-negotiation-policy`])) {
      report(
        `${describe(service)} leaves the NLB's TLS policy at its default (TLS 1.0). Fix: ${ANNOTATION}ssl-negotiation-policy: ELBSecurityPolicy-TLS13-1-2-2021-06.`,
        service.urn,
      );
    }
  });
}

export const loadBalancersTlsOnly: StackValidationPolicy = {
  name: "load-balancer-https-when-certificate",
  description:
    "A load balancer with a certificate serves nothing in clear text and negotiates TLS 1.2 or newer.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const unknowns = new Unknowns();
    checkListeners(args.resources, unknowns, reportViolation);
    checkServices(args.resources, unknowns, reportViolation);
    unknowns.done();
  },
};
