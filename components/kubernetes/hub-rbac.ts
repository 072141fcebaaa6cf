/**
 * What the Hub may do in the Kubernetes API: manage sandbox pods in the sandbox namespace, and nothing
 * anywhere else (a namespaced Role, never a ClusterRole).
 */
export interface PolicyRule {
  readonly apiGroups: string[];
  readonly resources: string[];
  readonly verbs: string[];
}

export function hubSandboxRules(): PolicyRule[] {
  return [
    { apiGroups: [""], resources: ["pods"], verbs: ["create", "get", "list", "watch", "delete", "patch"] },
    // exec opens with a WebSocket GET, which Kubernetes before 1.35 authorizes as "get"; "create" covers
    // SPDY and the AuthorizePodWebsocketUpgradeCreatePermission gate (KEP-4006).
    { apiGroups: [""], resources: ["pods/exec"], verbs: ["create", "get"] },
    { apiGroups: [""], resources: ["events"], verbs: ["list", "watch"] },
  ];
}
