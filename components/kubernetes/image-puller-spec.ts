/**
 * Pure parts of the image puller: a DaemonSet whose init containers pull the sandbox images
 * onto every worker as soon as it joins, so the first sandbox on a new node does not wait for
 * the pull (the original study's second open problem; Zero to JupyterHub's "continuous image puller").
 */
import { PAUSE_IMAGE } from "./pause-image";
import { tolerationFor, type Taint } from "./placement";

export interface NodePlacement {
  /** Node labels the puller pods require (the worker group's). */
  readonly nodeSelector: Readonly<Record<string, string>>;
  /** Taints the puller pods tolerate (the worker group's). */
  readonly tolerations: readonly Taint[];
}

/** Container name from an image reference: `public.ecr.aws/x/python:3.12-slim` -> `pull-0-python`. */
export function pullerContainerName(image: string, index: number): string {
  const lastSegment = image.split("/").pop() ?? image;
  const repository = lastSegment.split(/[:@]/)[0] ?? "image";
  const safe = repository
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")
    .replace(/^-+|-+$/g, "");
  return `pull-${index}-${safe || "image"}`.slice(0, 63);
}

/**
 * The DaemonSet pod template: one init container per image that exits at once (pulling is the
 * point), then pause. Non-root, no privileges, tiny requests, so it fits beside real sandboxes.
 */
export function imagePullerPodSpec(images: readonly string[], placement: NodePlacement) {
  if (images.length === 0) throw new Error("image puller: give at least one image to pull");
  const restricted = {
    runAsNonRoot: true,
    runAsUser: 65534,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" as const },
  };
  const tiny = { requests: { cpu: "5m", memory: "8Mi" }, limits: { cpu: "50m", memory: "32Mi" } };
  return {
    automountServiceAccountToken: false,
    terminationGracePeriodSeconds: 0,
    nodeSelector: { ...placement.nodeSelector },
    tolerations: placement.tolerations.map(tolerationFor),
    initContainers: images.map((image, index) => ({
      name: pullerContainerName(image, index),
      image,
      imagePullPolicy: "IfNotPresent" as const,
      // `sh -c true` exists in every image with a shell; the pull has already happened when it runs.
      command: ["sh", "-c", "true"],
      securityContext: restricted,
      resources: tiny,
    })),
    // pause is the only long-running container: ~1 MiB per node.
    containers: [{ name: "pause", image: PAUSE_IMAGE, securityContext: restricted, resources: tiny }],
  };
}
