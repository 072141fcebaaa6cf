import { describe, expect, it } from "vitest";
import { listenerPlan, TLS_POLICY } from "../../components/ecs/listeners";
import { hubServiceShape } from "../../components/kubernetes/hub-pod-spec";
import { loadBalancersTlsOnly } from "../hygiene/load-balancer-tls";
import { T } from "../lib/types";
import { messagesOf, TestStack } from "./policy-args";

const CERTIFICATE = "arn:aws:acm:eu-west-1:123456789012:certificate/abc";

/** The ALB listeners HubLoadBalancer makes from its plan. */
function albStack(certificateArn: string | undefined) {
  const stack = new TestStack();
  const alb = stack.add("aws:lb/loadBalancer:LoadBalancer", "ecs-hub-lb-alb", {
    loadBalancerType: "application",
  });
  const listeners = listenerPlan(certificateArn).map((spec) =>
    stack.add(
      T.lbListener,
      `ecs-hub-lb-${spec.protocol.toLowerCase()}`,
      {
        loadBalancerArn: "arn:alb",
        port: spec.port,
        protocol: spec.protocol,
        ...(spec.certificateArn ? { certificateArn: spec.certificateArn, sslPolicy: TLS_POLICY } : {}),
        defaultActions: [
          spec.action === "forward"
            ? { type: "forward", targetGroupArn: "arn:tg" }
            : { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
        ],
      },
      { from: { loadBalancerArn: [alb] } },
    ),
  );
  return { stack, listeners };
}

function serviceStack(certificateArn: string | undefined) {
  const stack = new TestStack();
  const shape = hubServiceShape(certificateArn);
  const service = stack.add(T.service, "eks-hub-service", {
    metadata: { name: "hub", annotations: shape.annotations },
    spec: { type: "LoadBalancer", ports: shape.ports },
  });
  return { stack, service };
}

describe("load-balancer-https-when-certificate", () => {
  it("passes the Hub's ALB and NLB with and without a certificate", async () => {
    for (const certificate of [undefined, CERTIFICATE]) {
      expect(await albStack(certificate).stack.check(loadBalancersTlsOnly)).toEqual({ violations: [] });
      expect(await serviceStack(certificate).stack.check(loadBalancersTlsOnly)).toEqual({ violations: [] });
    }
  });

  it("fails an HTTP listener that forwards beside an HTTPS one, and an HTTPS listener on an old TLS policy", async () => {
    const { stack, listeners } = albStack(CERTIFICATE);
    const [http, https] = listeners;
    http!.props.defaultActions = [{ type: "forward", targetGroupArn: "arn:tg" }];
    https!.props.sslPolicy = "ELBSecurityPolicy-2016-08";
    expect((await stack.check(loadBalancersTlsOnly)).violations).toEqual([
      { urn: https!.urn, message: expect.stringContaining("uses TLS policy ELBSecurityPolicy-2016-08") },
      {
        urn: http!.urn,
        message: expect.stringMatching(/serves HTTP in clear beside an HTTPS listener\. Fix: .*redirect/),
      },
    ]);
  });

  it("fails an NLB Service with a certificate that keeps a plain port or the default TLS policy", async () => {
    const { stack, service } = serviceStack(CERTIFICATE);
    service.props.spec.ports.push({ name: "http", port: 80, targetPort: "http", protocol: "TCP" });
    delete service.props.metadata.annotations[
      "service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy"
    ];
    expect(messagesOf(await stack.check(loadBalancersTlsOnly))).toEqual([
      expect.stringContaining("serves port 80 in clear"),
      expect.stringContaining("leaves the NLB's TLS policy at its default"),
    ]);
  });
});
