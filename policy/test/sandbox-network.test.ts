import { describe, expect, it } from "vitest";
import { covered, ipv4Range } from "../lib/cidr";
import {
  linkLocalAdmission,
  sandboxEgressNoLinkLocal,
  sandboxNamespaceDefaultDeny,
  sandboxNamespaceRestricted,
} from "../isolation/sandbox-network";
import { eksStack } from "./eks-fixture";
import { messagesOf, UNKNOWN } from "./policy-args";

describe("sandbox-namespace-restricted", () => {
  it("passes the sandbox, placeholder and puller namespaces as declared", async () => {
    expect(await eksStack().stack.check(sandboxNamespaceRestricted)).toEqual({ violations: [] });
  });

  it("fails a sandbox namespace relaxed to baseline, on the namespace", async () => {
    const { stack, sandboxNamespace } = eksStack();
    sandboxNamespace.props.metadata.labels["pod-security.kubernetes.io/enforce"] = "baseline";
    expect((await stack.check(sandboxNamespaceRestricted)).violations).toEqual([
      {
        urn: sandboxNamespace.urn,
        message: expect.stringContaining('namespace "sandboxes" enforces Pod Security "baseline"'),
      },
    ]);
  });

  it("fails when placeholders run in a namespace the program does not declare", async () => {
    const { stack, placeholders } = eksStack();
    placeholders.props.metadata.namespace = "default";
    expect(messagesOf(await stack.check(sandboxNamespaceRestricted))).toEqual([
      expect.stringContaining(
        'namespace "default" (used by kubernetes:apps/v1:Deployment "eks-overprovisioning-placeholders") is not declared',
      ),
    ]);
  });
});

describe("sandbox-namespace-default-deny", () => {
  it("passes the sandbox namespace's policies", async () => {
    expect(await eksStack().stack.check(sandboxNamespaceDefaultDeny)).toEqual({ violations: [] });
  });

  it("fails when the default-deny policy is gone or selects only some pods", async () => {
    for (const change of [
      (spec: Record<string, any>) => (spec.policyTypes = ["Ingress"]),
      (spec: Record<string, any>) => (spec.podSelector = { matchLabels: { app: "x" } }),
      (spec: Record<string, any>) => (spec.egress = [{}]),
    ]) {
      const { stack, networkPolicies, hubRole } = eksStack();
      change(networkPolicies[0]!.props.spec);
      expect((await stack.check(sandboxNamespaceDefaultDeny)).violations).toEqual([
        { urn: hubRole.urn, message: expect.stringContaining('sandbox namespace "sandboxes"') },
      ]);
    }
  });
});

describe("sandbox-egress-no-link-local", () => {
  it("passes the internet rule that excepts 169.254.0.0/16 and the DNS rule to kube-dns pods", async () => {
    expect(await eksStack().stack.check(sandboxEgressNoLinkLocal)).toEqual({ violations: [] });
  });

  it("fails an internet rule that excepts only the metadata address", async () => {
    const { stack, networkPolicies } = eksStack();
    const internet = networkPolicies.find((p) => p.name.endsWith("egress-internet"))!;
    internet.props.spec.egress[0].to[0].ipBlock.except = ["169.254.169.254/32", "10.0.0.0/8"];
    expect((await stack.check(sandboxEgressNoLinkLocal)).violations).toEqual([
      {
        urn: internet.urn,
        message: expect.stringMatching(
          /egress\[0\].*0\.0\.0\.0\/0 \(except 169\.254\.169\.254\/32, 10\.0\.0\.0\/8\) admits part of 169\.254\.0\.0\/16.*Fix:/,
        ),
      },
    ]);
  });

  it("judges each rule: no `to` admits everything, pod selectors admit no address, covering excepts may be split", () => {
    expect(linkLocalAdmission({})).toContain("no `to`");
    expect(linkLocalAdmission({ to: [{ podSelector: {} }] })).toBeUndefined();
    expect(linkLocalAdmission({ to: [{ ipBlock: { cidr: "169.254.169.253/32" } }] })).toContain(
      "169.254.169.253/32",
    );
    expect(linkLocalAdmission({ to: [{ ipBlock: { cidr: "10.100.0.10/32" } }] })).toBeUndefined();
    const split = { cidr: "128.0.0.0/1", except: ["169.254.0.0/17", "169.254.128.0/17"] };
    expect(linkLocalAdmission({ to: [{ ipBlock: split }] })).toBeUndefined();
    expect(covered(ipv4Range("169.254.0.0/16")!, [ipv4Range("169.254.0.0/17")!])).toBe(false);
  });

  it("still reports a known violation when another policy's spec is unknown, then says it could not check everything", async () => {
    const { stack, networkPolicies } = eksStack();
    networkPolicies.find((p) => p.name.endsWith("egress-dns"))!.props.spec = UNKNOWN;
    networkPolicies.find((p) => p.name.endsWith("egress-internet"))!.props.spec.egress = [{ to: [] }];
    const outcome = await stack.check(sandboxEgressNoLinkLocal);
    expect(messagesOf(outcome)).toEqual([expect.stringContaining("no `to` admits every address")]);
    expect(outcome.unknown?.message).toContain(".spec");
  });
});
