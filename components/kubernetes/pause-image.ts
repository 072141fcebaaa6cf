/** Pinned pause image (registry.k8s.io/pause, the kubelet's own sandbox image): placeholders and the puller's idle container. */
export const PAUSE_IMAGE = "registry.k8s.io/pause:3.10";
