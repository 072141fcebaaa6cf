/** The parts of a Hub's environment the stacks add for port URLs and warm pools, and how they join. */
import { describe, expect, it } from "vitest";
import { mergeEnvironments } from "../../components/shared/environment";
import {
  hubUrlFor,
  portUrlEnvironment,
  PROXY_CONNECT_TIMEOUT_MS,
  PROXY_RESPONSE_TIMEOUT_MS,
} from "../../components/shared/hub-port-urls";
import { warmPoolEnvironment } from "../../components/shared/hub-warm-pools";

describe("portUrlEnvironment", () => {
  it("names the public URL and preview domain when given, and always the proxy's limits", () => {
    expect(
      portUrlEnvironment({
        publicUrl: "https://hub.example.com",
        previewDomain: "sandboxes.example.com",
        loadBalancerIdleSeconds: 350,
      }),
    ).toEqual({
      HUB_PUBLIC_URL: "https://hub.example.com",
      HUB_PREVIEW_DOMAIN: "sandboxes.example.com",
      HUB_PROXY_CONNECT_TIMEOUT_MS: String(PROXY_CONNECT_TIMEOUT_MS),
      HUB_PROXY_RESPONSE_TIMEOUT_MS: String(PROXY_RESPONSE_TIMEOUT_MS),
      HUB_PROXY_MAX_CONNECTIONS_PER_CONTAINER: "64",
    });
  });

  it("leaves the URL shape to the Hub without them: path-based on the origin a request came to", () => {
    const env = portUrlEnvironment({ loadBalancerIdleSeconds: 660 });
    expect(env.HUB_PUBLIC_URL).toBeUndefined();
    expect(env.HUB_PREVIEW_DOMAIN).toBeUndefined();
  });

  it("refuses a load balancer that would cut a slow answer before the proxy's own 504", () => {
    expect(() => portUrlEnvironment({ loadBalancerIdleSeconds: 60 })).toThrow(
      /idle timeout \(60 s\) must outlast the proxy's response timeout \(60 s\)/,
    );
  });
});

describe("hubUrlFor", () => {
  it("is the Hub's own name when it has one, else the load balancer's", () => {
    expect(hubUrlFor("https", "lb.elb.amazonaws.com", "hub.example.com")).toBe("https://hub.example.com");
    expect(hubUrlFor("http", "lb.elb.amazonaws.com")).toBe("http://lb.elb.amazonaws.com");
  });
});

describe("warmPoolEnvironment", () => {
  it("is HUB_WARM_POOLS as JSON, or nothing without pools", () => {
    expect(warmPoolEnvironment([])).toEqual({});
    expect(JSON.parse(warmPoolEnvironment([{ size: 3 }, { cpu: 1, size: 1 }]).HUB_WARM_POOLS!)).toEqual([
      { size: 3 },
      { cpu: 1, size: 1 },
    ]);
  });
});

describe("mergeEnvironments", () => {
  it("joins the parts", () => {
    expect(mergeEnvironments({ A: "1" }, {}, { B: "2" })).toEqual({ A: "1", B: "2" });
  });

  it("refuses two parts setting one variable", () => {
    expect(() => mergeEnvironments({ HUB_PUBLIC_URL: "a" }, { HUB_PUBLIC_URL: "b" })).toThrow(
      "the Hub's environment sets HUB_PUBLIC_URL twice",
    );
  });
});
