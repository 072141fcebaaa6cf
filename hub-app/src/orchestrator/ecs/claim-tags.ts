/**
 * What a warm-pool member carries as ECS tags, and how a claim's env travels in tags.
 *
 * A running task's env cannot change, and ECS has no annotation of arbitrary size: the claim's
 * env is stored as base64 JSON cut into tag values (`sandbox.hub/env-00`, `-01`, ...), which only
 * the Hub writes; every later command exports it first. ECS allows 50 tags per resource and 256
 * characters per value (Amazon ECS API reference, Tag); base64 uses only characters tags allow
 * (letters, digits, `+`, `/`, `=`).
 */
import type { Tag, Task } from "@aws-sdk/client-ecs";
import { envFromJson } from "../claim-env.js";
import { formatPortList } from "../port-list.js";
import type { ContainerSpec, PoolClaim } from "../types.js";
import { sandboxTags, TAG, tagValue } from "./task-info.js";

/** ECS: at most 50 user tags per resource, values of at most 256 characters (API reference, Tag). */
const MAX_TAGS = 50;
const MAX_TAG_VALUE = 256;
const ENV_TAG_PREFIX = `${TAG.env}-`;

/** A member's tags: the sandbox's, without an expiry (a member has none until claimed), plus its pool and owner. */
export function memberTags(spec: ContainerSpec, instance: string, pool: string, owner: string): Tag[] {
  return [
    ...sandboxTags(spec, instance).filter((tag) => tag.key !== TAG.expiresAt),
    { key: TAG.warmPool, value: pool },
    { key: TAG.warmOwner, value: owner },
  ];
}

export const isMember = (task: Task): boolean => tagValue(task, TAG.warmPool) !== undefined;

/** A member whose claim stopped half-way (tagged, not untagged): never claimable, only stopped. */
export const isHalfClaimed = (task: Task): boolean => tagValue(task, TAG.expiresAt) !== undefined;

function envTags(env: Readonly<Record<string, string>>): Tag[] {
  if (Object.keys(env).length === 0) return [];
  const encoded = Buffer.from(JSON.stringify(env)).toString("base64");
  const tags: Tag[] = [];
  for (let at = 0; at < encoded.length; at += MAX_TAG_VALUE) {
    const index = String(tags.length).padStart(2, "0");
    tags.push({ key: `${ENV_TAG_PREFIX}${index}`, value: encoded.slice(at, at + MAX_TAG_VALUE) });
  }
  return tags;
}

/**
 * The tags a claim writes (created-at, expires-at, ports, env), or undefined when they would not
 * fit beside the member's own tags: such a create goes cold, with the env in RunTask's overrides.
 */
export function claimTags(claim: PoolClaim, memberTagCount: number): Tag[] | undefined {
  const tags: Tag[] = [
    { key: TAG.createdAt, value: claim.createdAt.toISOString() },
    { key: TAG.expiresAt, value: claim.expiresAt.toISOString() },
    ...(claim.ports.length === 0 ? [] : [{ key: TAG.ports, value: formatPortList(claim.ports) }]),
    ...envTags(claim.env),
  ];
  // created-at replaces the member's own; every other key is new.
  return memberTagCount + tags.length - 1 <= MAX_TAGS ? tags : undefined;
}

/** The env a claim stored in the task's tags; {} for a task created cold (its env is in its overrides). */
export function claimedEnv(task: Task): Record<string, string> {
  const parts = (task.tags ?? [])
    .filter((tag) => tag.key?.startsWith(ENV_TAG_PREFIX) === true)
    .sort((a, b) => (a.key ?? "").localeCompare(b.key ?? ""))
    .map((tag) => tag.value ?? "");
  return parts.length === 0 ? {} : envFromJson(Buffer.from(parts.join(""), "base64").toString("utf8"));
}

/** The task's tags with `written` set and `removed` gone: what it reads as after a claim. */
export function retagged(task: Task, written: readonly Tag[], removed: readonly string[]): Task {
  const replaced = new Set([...written.map((tag) => tag.key), ...removed]);
  return { ...task, tags: [...(task.tags ?? []).filter((tag) => !replaced.has(tag.key)), ...written] };
}
