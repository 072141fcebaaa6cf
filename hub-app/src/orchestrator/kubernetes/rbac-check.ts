/**
 * Readiness asks the API server whether this Hub may do everything a sandbox's life needs. Listing
 * pods alone would pass with a Role that lacks pods/exec, and then every student's first command
 * would fail; SelfSubjectAccessReview is open to every authenticated identity, so it costs no rights.
 */
import type { AuthorizationV1Api } from "@kubernetes/client-node";
import { HubError } from "../../errors.js";
import { callKube } from "./api-errors.js";

/** What create, wait, run, write files, extend and delete use (orchestrator.ts). */
export const REQUIRED_ACCESS = [
  { verb: "create", resource: "pods" },
  { verb: "get", resource: "pods" },
  { verb: "list", resource: "pods" },
  { verb: "watch", resource: "pods" },
  { verb: "patch", resource: "pods" },
  { verb: "delete", resource: "pods" },
  // Exec opens with a WebSocket upgrade, a GET, authorized as "get pods/exec"; from 1.35 the API
  // server also checks "create" (AuthorizePodWebsocketUpgradeCreatePermission, KEP-4006,
  // kubernetes/kubernetes#134577). A Role with only one of them fails every exec with 403.
  { verb: "get", resource: "pods", subresource: "exec" },
  { verb: "create", resource: "pods", subresource: "exec" },
  { verb: "list", resource: "events" },
] as const;

/** A passing answer is trusted this long: load balancers probe readiness every few seconds. */
export const ACCESS_CHECK_TTL_MS = 300_000;

const describeAccess = (access: (typeof REQUIRED_ACCESS)[number]): string =>
  `${access.verb} ${access.resource}${"subresource" in access ? `/${access.subresource}` : ""}`;

/** Throws orchestrator_unavailable naming every missing right. */
export async function checkSandboxAccess(
  authorization: AuthorizationV1Api,
  namespace: string,
): Promise<void> {
  const answers = await Promise.all(
    REQUIRED_ACCESS.map(async (access) => {
      const review = await callKube(`review access to ${describeAccess(access)}`, () =>
        authorization.createSelfSubjectAccessReview({
          body: {
            apiVersion: "authorization.k8s.io/v1",
            kind: "SelfSubjectAccessReview",
            spec: { resourceAttributes: { namespace, group: "", ...access } },
          },
        }),
      );
      return { access, allowed: review.status?.allowed === true };
    }),
  );
  const denied = answers.filter((answer) => !answer.allowed).map((answer) => describeAccess(answer.access));
  if (denied.length > 0) {
    throw new HubError(
      "orchestrator_unavailable",
      `RBAC does not let the Hub ${denied.join(", ")} in namespace ${namespace}: grant them in its Role there`,
      5,
    );
  }
}
