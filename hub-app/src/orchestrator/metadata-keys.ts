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
  /** The warm pool a sandbox waits in; absent once claimed. */
  warmPool: "sandbox.hub/warm-pool",
  /** ECS only: the Hub replica (its task ARN) that started a member and alone may claim it. */
  warmOwner: "sandbox.hub/warm-owner",
  /** A claimed member's env, applied to every command (a running container's own env cannot change). */
  env: "sandbox.hub/env",
  /** The declared ports where the sandbox's spec cannot hold them (ECS tags, a claimed pool member): space-separated, as ECS tag values allow no comma. */
  ports: "sandbox.hub/ports",
} as const;
