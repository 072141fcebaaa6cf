/**
 * NetworkPolicies for namespaces other than the sandboxes'. Under the VPC CNI's strict mode a pod
 * that no policy selects gets no traffic (components/eks/vpc-cni.ts), so each namespace whose pods
 * need the network says what they need. Pods that need none (placeholders, the image puller) get none.
 */

/** Everything in and out: what kube-system's add-ons (CoreDNS, cluster-autoscaler) had before strict mode. */
export function allowAllTrafficPolicy() {
  return { podSelector: {}, policyTypes: ["Ingress", "Egress"], ingress: [{}], egress: [{}] };
}

/** The Hub: clients (through the load balancer and kube-proxy) and kubelet probes on its port; out to anything. */
export function hubTrafficPolicy(hubPort: number) {
  return {
    podSelector: {},
    policyTypes: ["Ingress", "Egress"],
    ingress: [{ ports: [{ protocol: "TCP", port: hubPort }] }],
    egress: [{}],
  };
}
