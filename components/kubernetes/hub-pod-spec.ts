/**
 * The Hub's pods: on the manager group, spread over its nodes, non-root with a read-only root
 * filesystem, probed on /healthz and /readyz.
 */
import { HUB_PORT } from "./hub-environment";
import { HUB_POD_LABELS, labelsOf, labelString, MANAGER_LABEL } from "./placement";

/** The `node` user of the official Node.js images the Hub's Dockerfile builds on. */
export const HUB_UID = 1000;

export interface HubPodSpecArgs {
  readonly image: string;
  readonly serviceAccountName: string;
  readonly env: { name: string; value: string }[];
}

export function hubPodSpec(args: HubPodSpecArgs) {
  const probe = (path: string, periodSeconds: number) => ({
    httpGet: { path, port: "http" },
    periodSeconds,
    timeoutSeconds: 2,
    failureThreshold: 3,
  });
  return {
    serviceAccountName: args.serviceAccountName,
    nodeSelector: labelsOf(MANAGER_LABEL),
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: "kubernetes.io/hostname",
        whenUnsatisfiable: "DoNotSchedule",
        labelSelector: { matchLabels: { ...HUB_POD_LABELS } },
      },
      {
        maxSkew: 1,
        topologyKey: "topology.kubernetes.io/zone",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: { ...HUB_POD_LABELS } },
      },
    ],
    securityContext: {
      runAsNonRoot: true,
      runAsUser: HUB_UID,
      runAsGroup: HUB_UID,
      fsGroup: HUB_UID,
      seccompProfile: { type: "RuntimeDefault" },
    },
    // The Hub closes sandboxes' exec streams on SIGTERM; leave time to drain.
    terminationGracePeriodSeconds: 30,
    containers: [
      {
        name: "hub",
        image: args.image,
        ports: [{ name: "http", containerPort: HUB_PORT, protocol: "TCP" }],
        env: args.env,
        livenessProbe: { ...probe("/healthz", 10), initialDelaySeconds: 5 },
        readinessProbe: probe("/readyz", 5),
        resources: {
          requests: { cpu: "250m", memory: "256Mi" },
          limits: { cpu: "1", memory: "512Mi" },
        },
        securityContext: {
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ["ALL"] },
        },
        volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
      },
    ],
    volumes: [{ name: "tmp", emptyDir: { sizeLimit: "256Mi" } }],
  };
}

/**
 * Service annotations for an internet-facing NLB from the AWS cloud provider's service controller
 * (kubernetes/cloud-provider-aws pkg/providers/v1, v1.34): targets only the manager nodes, where the Hub
 * runs, so sandbox workers coming and going never touch the Hub's targets. Cross-zone is read for NLBs
 * too (aws_loadbalancer.go, reconcileLBAttributes, which otherwise sets it to false): with two manager
 * nodes in three zones, the zone without one would send its clients nowhere.
 */
export const NLB_ANNOTATIONS: Readonly<Record<string, string>> = {
  "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
  "service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled": "true",
  "service.beta.kubernetes.io/aws-load-balancer-target-node-labels": labelString(MANAGER_LABEL),
};

/** TLS 1.2 and 1.3 only: the bearer token must not cross the internet on an old protocol. */
export const NLB_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

export interface HubServiceShape {
  readonly annotations: Record<string, string>;
  readonly ports: { name: string; port: number; targetPort: string; protocol: "TCP" }[];
  readonly scheme: "http" | "https";
}

/**
 * How the Hub's Service is exposed. With a certificate the NLB terminates TLS on 443 and forwards
 * plain TCP to the Hub's port inside the VPC, and there is no port 80 at all: an NLB cannot redirect,
 * and a plain listener would invite clients to send the token in clear.
 */
export function hubServiceShape(certificateArn: string | undefined): HubServiceShape {
  if (certificateArn === undefined) {
    return {
      annotations: { ...NLB_ANNOTATIONS },
      ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }],
      scheme: "http",
    };
  }
  return {
    annotations: {
      ...NLB_ANNOTATIONS,
      "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": certificateArn,
      "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "https",
      "service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy": NLB_TLS_POLICY,
      "service.beta.kubernetes.io/aws-load-balancer-backend-protocol": "tcp",
    },
    ports: [{ name: "https", port: 443, targetPort: "http", protocol: "TCP" }],
    scheme: "https",
  };
}

/** The Hub's URL from the Service's load-balancer status; a placeholder until AWS assigns a name. */
export function hubUrlFromStatus(
  status: { loadBalancer?: { ingress?: { hostname?: string; ip?: string }[] } } | undefined,
  scheme: "http" | "https" = "http",
): string {
  const ingress = status?.loadBalancer?.ingress?.[0];
  const host = ingress?.hostname ?? ingress?.ip;
  return `${scheme}://${host ?? "<load balancer pending>"}`;
}

/**
 * The NLB's DNS name from the Service's status. Pulumi waits for it before it calls a LoadBalancer
 * Service created (the provider's Service await logic), so a missing one is an error, not a wait.
 */
export function loadBalancerHostnameOf(
  status: { loadBalancer?: { ingress?: { hostname?: string }[] } } | undefined,
): string {
  const hostname = status?.loadBalancer?.ingress?.[0]?.hostname;
  if (hostname === undefined || hostname === "") {
    throw new Error(
      "the Hub's Service has no load balancer hostname in its status: its DNS records have no target",
    );
  }
  return hostname;
}
