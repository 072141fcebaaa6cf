import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { imagePullerPodSpec, type NodePlacement } from "./image-puller-spec";

export interface ImagePullerArgs {
  /** Images to keep on every worker, e.g. the default sandbox image; a change rolls the puller, pulling it everywhere. */
  readonly images: pulumi.Input<string[]>;
  /** Where sandboxes land: the worker group's labels and taints. */
  readonly placement: NodePlacement;
  /** Kubernetes provider of the cluster. */
  readonly provider: k8s.Provider;
}

/** Keeps the sandbox images on every worker node, so new nodes are warm before a sandbox arrives. */
export class ImagePuller extends pulumi.ComponentResource {
  public readonly namespace: k8s.core.v1.Namespace;
  public readonly daemonSet: k8s.apps.v1.DaemonSet;

  constructor(name: string, args: ImagePullerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hub:kubernetes:ImagePuller", name, {}, opts);
    const childOpts = { parent: this, provider: args.provider };
    this.namespace = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      {
        metadata: {
          name: "image-puller",
          labels: { "pod-security.kubernetes.io/enforce": "restricted" },
        },
      },
      childOpts,
    );
    const labels = { "app.kubernetes.io/name": "image-puller" };
    this.daemonSet = new k8s.apps.v1.DaemonSet(
      `${name}-daemonset`,
      {
        metadata: { name: "image-puller", namespace: this.namespace.metadata.name, labels },
        spec: {
          selector: { matchLabels: labels },
          // Rolling all nodes at once is fine: the puller holds no traffic.
          updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "100%" } },
          template: {
            metadata: { labels },
            spec: pulumi.output(args.images).apply((images) => imagePullerPodSpec(images, args.placement)),
          },
        },
      },
      childOpts,
    );
    this.registerOutputs({ daemonSet: this.daemonSet });
  }
}
