import { describe, expect, it } from "vitest";
import { capacityPlan } from "../../components/ecs/capacity";
import { hubUrl, LOAD_BALANCER_IDLE_TIMEOUT_SECONDS, listenerPlan } from "../../components/ecs/listeners";

describe("capacityPlan", () => {
  it("uses on-demand Fargate alone by default", () => {
    expect(capacityPlan(false)).toEqual({
      capacityProviders: ["FARGATE"],
      sandboxCapacityProvider: "FARGATE",
      defaultStrategy: [{ capacityProvider: "FARGATE", base: 0, weight: 1 }],
    });
  });

  it("adds Fargate Spot and sends sandboxes there when asked", () => {
    const plan = capacityPlan(true);
    expect(plan.capacityProviders).toEqual(["FARGATE", "FARGATE_SPOT"]);
    expect(plan.sandboxCapacityProvider).toBe("FARGATE_SPOT");
    expect(plan.defaultStrategy).toEqual([{ capacityProvider: "FARGATE_SPOT", base: 0, weight: 1 }]);
  });
});

describe("listenerPlan", () => {
  it("forwards plain HTTP when there is no certificate", () => {
    expect(listenerPlan(undefined)).toEqual([{ port: 80, protocol: "HTTP", action: "forward" }]);
  });

  it("serves HTTPS and redirects HTTP to it with a certificate", () => {
    const cert = "arn:aws:acm:eu-west-1:123456789012:certificate/abc";
    expect(listenerPlan(cert)).toEqual([
      { port: 80, protocol: "HTTP", action: "redirect-to-https" },
      { port: 443, protocol: "HTTPS", action: "forward", certificateArn: cert },
    ]);
  });
});

describe("hubUrl", () => {
  it("follows the listener's scheme", () => {
    expect(hubUrl("lb.example", undefined)).toBe("http://lb.example");
    expect(hubUrl("lb.example", "arn:aws:acm:x")).toBe("https://lb.example");
  });
});

describe("load balancer idle timeout", () => {
  it("outlasts the Hub's longest command (600 s)", () => {
    expect(LOAD_BALANCER_IDLE_TIMEOUT_SECONDS).toBeGreaterThan(600);
    // The ALB maximum (ELB docs, "Connection idle timeout").
    expect(LOAD_BALANCER_IDLE_TIMEOUT_SECONDS).toBeLessThanOrEqual(4000);
  });
});
