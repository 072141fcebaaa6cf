import { describe, expect, it } from "vitest";
import { ecrScanOnPush } from "../hygiene/ecr-scan";
import { logGroupsExpire } from "../hygiene/log-retention";
import { T } from "../lib/types";
import { checkResource, messagesOf, resourceArgs } from "./policy-args";

describe("ecr-scan-on-push", () => {
  it("passes the Hub's repository and fails one without scanning", async () => {
    const scanned = resourceArgs(T.ecrRepository, {
      imageScanningConfiguration: { scanOnPush: true },
      imageTagMutability: "IMMUTABLE",
    });
    expect(messagesOf(await checkResource(ecrScanOnPush, scanned))).toEqual([]);
    for (const props of [{}, { imageScanningConfiguration: { scanOnPush: false } }]) {
      expect(messagesOf(await checkResource(ecrScanOnPush, resourceArgs(T.ecrRepository, props)))).toEqual([
        expect.stringContaining("Fix: imageScanningConfiguration: { scanOnPush: true }"),
      ]);
    }
  });
});

describe("log-groups-expire", () => {
  it("passes a retention and fails none or zero", async () => {
    expect(
      messagesOf(await checkResource(logGroupsExpire, resourceArgs(T.logGroup, { retentionInDays: 30 }))),
    ).toEqual([]);
    for (const props of [{}, { retentionInDays: 0 }]) {
      expect(messagesOf(await checkResource(logGroupsExpire, resourceArgs(T.logGroup, props)))).toEqual([
        expect.stringContaining("never expire"),
      ]);
    }
  });
});
