import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { envList, HUB_PORT, hubKubernetesEnvironment } from "../kubernetes/hub-environment";
import {
  hubPodSpec,
  hubServiceShape,
  hubUrlFromStatus,
  loadBalancerHostnameOf,
} from "../kubernetes/hub-pod-spec";
import { hubSandboxRules } from "../kubernetes/hub-rbac";
import { NLB_IDLE_TIMEOUT_SECONDS } from "../kubernetes/nlb-idle-timeout";
import { hubTrafficPolicy } from "../kubernetes/strict-mode-policies";
import { HUB_NAMESPACE, HUB_POD_LABELS, type KubernetesPlacement } from "../kubernetes/placement";
import { podSecurityLabels, type SandboxSize } from "../kubernetes/sandbox-policies";
import { mergeEnvironments } from "../shared/environment";
import { hubUrlFor, portUrlEnvironment } from "../shared/hub-port-urls";
import { hubTokenReadPolicy } from "../shared/hub-token-policy";
import { warmPoolEnvironment, type HubWarmPool } from "../shared/hub-warm-pools";
import type { EksCluster } from "./eks-cluster";
import { Irsa } from "./irsa";

/** The type this component had before it moved here from components/kubernetes. */
export const HUB_ON_EKS_PREVIOUS_TYPE = "hub:kubernetes:HubOnKubernetes";

export interface HubOnEksArgs {
  readonly cluster: EksCluster;
  readonly kubernetesVersion: string;
  readonly image: pulumi.Input<string>;
  readonly tokenSecretArn: pulumi.Input<string>;
  readonly region: pulumi.Input<string>;
  /** HUB_INSTANCE. */
  readonly instance: string;
  /** Placements this Hub offers, the default first. */
  readonly placements: readonly KubernetesPlacement[];
  readonly sandboxNamespace: pulumi.Input<string>;
  /** Known up front: the env and RBAC name it. */
  readonly sandboxNamespaceName: string;
  /** Required; the stack's default comes from `stacks/config-schema.ts` (`hub.replicas`). */
  readonly replicas: number;
  readonly defaultSandboxImage: pulumi.Input<string>;
  readonly defaultSandboxSize: SandboxSize;
  /** ACM certificate: the NLB terminates TLS on 443 and the URL is https (no plain listener). */
  readonly certificateArn?: string;
  /** The Hub's own DNS name (a record leads it to the NLB): its URL and HUB_PUBLIC_URL. */
  readonly hostname?: string;
  /** HUB_PREVIEW_DOMAIN: host-based port URLs under it; unset: path-based. */
  readonly previewDomain?: string;
  /** HUB_WARM_POOLS. */
  readonly warmPools: readonly HubWarmPool[];
  /** What must exist before the Hub's pods can run (the manager nodes). */
  readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/**
 * The Hub on EKS: its namespace, IRSA service account, sandbox-only RBAC, Deployment, PDB and NLB Service.
 * Here, not in components/kubernetes, because IRSA makes it EKS's: components/kubernetes imports nothing from eks.
 */
export class HubOnEks extends pulumi.ComponentResource {
  public readonly deployment: k8s.apps.v1.Deployment;
  public readonly service: k8s.core.v1.Service;
  public readonly url: pulumi.Output<string>;
  public readonly environment: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: HubOnEksArgs, opts?: pulumi.ComponentResourceOptions) {
    // The alias keeps deployed stacks' URNs (this component was hub:kubernetes:HubOnKubernetes): no replacement.
    super(
      "hub:eks:HubOnEks",
      name,
      {},
      { ...opts, aliases: [...(opts?.aliases ?? []), { type: HUB_ON_EKS_PREVIOUS_TYPE }] },
    );
    const childOpts = { parent: this, provider: args.cluster.provider };
    const namespace = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      { metadata: { name: HUB_NAMESPACE, labels: podSecurityLabels(args.kubernetesVersion) } },
      childOpts,
    );
    const labels = { ...HUB_POD_LABELS };
    const irsa = new Irsa(
      `${name}-irsa`,
      {
        cluster: args.cluster,
        namespace: namespace.metadata.name,
        namespaceName: HUB_NAMESPACE,
        serviceAccountName: "hub",
        inlinePolicies: {
          "read-hub-token": pulumi
            .output(args.tokenSecretArn)
            .apply((arn) => JSON.stringify(hubTokenReadPolicy(arn))),
        },
        labels,
      },
      { parent: this },
    );
    const role = new k8s.rbac.v1.Role(
      `${name}-sandbox-role`,
      {
        metadata: { name: "hub-sandboxes", namespace: args.sandboxNamespace, labels },
        rules: hubSandboxRules(),
      },
      childOpts,
    );
    new k8s.rbac.v1.RoleBinding(
      `${name}-sandbox-binding`,
      {
        metadata: { name: "hub-sandboxes", namespace: args.sandboxNamespace, labels },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
        subjects: [{ kind: "ServiceAccount", name: irsa.serviceAccountName, namespace: HUB_NAMESPACE }],
      },
      childOpts,
    );
    const exposure = hubServiceShape(args.certificateArn);
    // Without a name of its own, the Hub takes the origin each mint request came to: the NLB's name.
    const publicUrl = args.hostname === undefined ? undefined : hubUrlFor(exposure.scheme, "", args.hostname);
    this.environment = pulumi
      .all([args.tokenSecretArn, args.region, args.defaultSandboxImage])
      .apply(([tokenSecretArn, region, defaultSandboxImage]) =>
        mergeEnvironments(
          hubKubernetesEnvironment({
            instance: args.instance,
            tokenSecretArn,
            region,
            sandboxNamespace: args.sandboxNamespaceName,
            placements: args.placements,
            defaultSandboxImage,
            defaultSandboxSize: args.defaultSandboxSize,
          }),
          portUrlEnvironment({
            ...(publicUrl === undefined ? {} : { publicUrl }),
            ...(args.previewDomain === undefined ? {} : { previewDomain: args.previewDomain }),
            loadBalancerIdleSeconds: NLB_IDLE_TIMEOUT_SECONDS,
          }),
          warmPoolEnvironment(args.warmPools),
        ),
      );
    // The VPC CNI's strict mode gives a pod no policy selects no traffic (components/eks/vpc-cni.ts).
    new k8s.networking.v1.NetworkPolicy(
      `${name}-traffic`,
      {
        metadata: { name: "hub-traffic", namespace: namespace.metadata.name, labels },
        spec: hubTrafficPolicy(HUB_PORT),
      },
      childOpts,
    );
    const metadata = { name: "hub", namespace: namespace.metadata.name, labels };
    this.deployment = new k8s.apps.v1.Deployment(
      `${name}-deployment`,
      {
        metadata,
        spec: {
          replicas: args.replicas,
          selector: { matchLabels: labels },
          strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
          template: {
            metadata: { labels },
            spec: pulumi
              .all([args.image, this.environment])
              .apply(([image, env]) =>
                hubPodSpec({ image, serviceAccountName: irsa.serviceAccountName, env: envList(env) }),
              ),
          },
        },
      },
      { ...childOpts, dependsOn: [irsa, ...(args.dependsOn ?? [])] },
    );
    new k8s.policy.v1.PodDisruptionBudget(
      `${name}-pdb`,
      { metadata, spec: { maxUnavailable: 1, selector: { matchLabels: labels } } },
      childOpts,
    );
    this.service = new k8s.core.v1.Service(
      `${name}-service`,
      {
        metadata: { ...metadata, annotations: exposure.annotations },
        spec: { type: "LoadBalancer", selector: labels, ports: exposure.ports },
      },
      { ...childOpts, dependsOn: [this.deployment] },
    );
    this.url =
      publicUrl === undefined
        ? this.service.status.apply((status) => hubUrlFromStatus(status, exposure.scheme))
        : pulumi.output(publicUrl);
    this.registerOutputs({ url: this.url });
  }

  /** The NLB's DNS name, from the Service's status once AWS has made it: where the Hub's DNS records lead. */
  loadBalancerHostname(): pulumi.Output<string> {
    return this.service.status.apply((status) => loadBalancerHostnameOf(status));
  }
}
