/**
 * The keys under which every orchestrator stores a sandbox's metadata on the sandbox itself
 * (Kubernetes labels and annotations, ECS tags), so a restarted Hub reads back what it created.
 */
export const METADATA_KEY = {
  instance: "sandbox.hub/instance",
  id: "sandbox.hub/id",
  createdAt: "sandbox.hub/created-at",
  expiresAt: "sandbox.hub/expires-at",
  cpu: "sandbox.hub/cpu",
  memory: "sandbox.hub/memory",
  placement: "sandbox.hub/placement",
} as const;
