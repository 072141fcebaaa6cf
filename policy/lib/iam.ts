/**
 * IAM policy documents as the pack reads them (IAM User Guide, "IAM JSON policy elements reference"):
 * Action, Resource and Condition take one value or a list; action names are case-insensitive.
 */
import type { PolicyResource } from "@pulumi/policy";
import { T } from "./types";
import { list } from "./resources";

export interface Statement {
  readonly Sid?: string;
  readonly Effect?: string;
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly NotResource?: string | string[];
  readonly Principal?: unknown;
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

/** Statements of a policy document given as JSON text or an object. Throws on text that is not a document. */
export function statementsOf(document: unknown): Statement[] {
  const parsed: unknown = typeof document === "string" ? JSON.parse(document) : document;
  if (!parsed || typeof parsed !== "object" || !("Statement" in parsed)) {
    throw new Error("not an IAM policy document (no Statement)");
  }
  return list((parsed as { Statement: Statement | Statement[] }).Statement);
}

export const isAllow = (s: Statement): boolean => (s.Effect ?? "Allow") === "Allow";

/** Whether an IAM action pattern (`*`, `iam:*`, `iam:Pass*`) matches the action `service:Name`. */
export function actionMatches(pattern: string, action: string): boolean {
  const escaped = pattern
    .toLowerCase()
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${escaped.join(".*")}$`).test(action.toLowerCase());
}

/** `*` or `service:*`: every action, or every action of a service. */
export function isWildcardAction(action: string): boolean {
  return action === "*" || /^[a-z0-9-]+:\*$/i.test(action);
}

export const hasCondition = (s: Statement): boolean => Object.keys(s.Condition ?? {}).length > 0;

/** The keys a statement's condition compares with `operator`, e.g. StringEquals. */
export function conditionValues(s: Statement, operator: string): Record<string, string[]> {
  const block = s.Condition?.[operator] ?? {};
  return Object.fromEntries(Object.entries(block).map(([key, value]) => [key, list(value)]));
}

export interface AttachedDocument {
  /** Where the document sits, for messages: `policy`, `inlinePolicies[0].policy`. */
  readonly field: string;
  readonly document: unknown;
}

/** Identity-based policy documents a resource carries (never trust policies). */
export function permissionDocuments(resource: Pick<PolicyResource, "type" | "props">): AttachedDocument[] {
  switch (resource.type) {
    case T.rolePolicy:
    case T.managedPolicy:
    case T.userPolicy:
    case T.groupPolicy:
      return resource.props.policy === undefined
        ? []
        : [{ field: "policy", document: resource.props.policy }];
    case T.role:
      return list(resource.props.inlinePolicies as { policy?: unknown }[] | undefined).flatMap((p, i) =>
        p.policy === undefined ? [] : [{ field: `inlinePolicies[${i}].policy`, document: p.policy }],
      );
    default:
      return [];
  }
}
