import { describe, expect, it } from "vitest";
import { hubDnsRecordSpecs, inZone, zoneProblem } from "../../components/shared/hub-dns-records";

describe("hubDnsRecordSpecs", () => {
  it("is the Hub's name and the previews' wildcard, each only when configured", () => {
    expect(
      hubDnsRecordSpecs({ hostname: "hub.example.com", previewDomain: "sandboxes.example.com" }),
    ).toEqual([
      { role: "hub", name: "hub.example.com" },
      { role: "previews", name: "*.sandboxes.example.com" },
    ]);
    expect(hubDnsRecordSpecs({ previewDomain: "sandboxes.example.com" })).toEqual([
      { role: "previews", name: "*.sandboxes.example.com" },
    ]);
    expect(hubDnsRecordSpecs({})).toEqual([]);
  });
});

describe("inZone", () => {
  it("holds names at or below the zone's apex, with or without Route 53's trailing dot", () => {
    expect(inZone("hub.example.com", "example.com.")).toBe(true);
    expect(inZone("*.sandboxes.example.com", "example.com")).toBe(true);
    expect(inZone("*.example.com", "example.com.")).toBe(true);
    expect(inZone("hub.badexample.com", "example.com.")).toBe(false);
    expect(inZone("hub.example.org", "example.com.")).toBe(false);
  });
});

describe("zoneProblem", () => {
  const specs = hubDnsRecordSpecs({ hostname: "hub.example.com", previewDomain: "sandboxes.example.com" });

  it("is undefined when every name fits the zone", () => {
    expect(zoneProblem(specs, "example.com.", "cname")).toBeUndefined();
  });

  it("names what lies outside the zone", () => {
    expect(zoneProblem(specs, "sandboxes.example.com.", "alias")).toBe("hub.example.com lies outside it");
  });

  it("refuses a CNAME at the apex, and allows an alias there", () => {
    const apex = hubDnsRecordSpecs({ hostname: "example.com" });
    expect(zoneProblem(apex, "example.com.", "cname")).toMatch(/example\.com is its apex/);
    expect(zoneProblem(apex, "example.com.", "alias")).toBeUndefined();
  });
});
