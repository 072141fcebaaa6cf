import { describe, expect, it } from "vitest";
import { nodeLaunchTemplateSettings } from "../../components/eks/launch-template";
import { nodeMetadataProtected } from "../isolation/node-metadata";
import { T } from "../lib/types";
import { checkResource, messagesOf, resourceArgs, UNKNOWN } from "./policy-args";

const template = (metadataOptions: Record<string, unknown> | undefined) =>
  resourceArgs(T.launchTemplate, { ...nodeLaunchTemplateSettings(110, 100), metadataOptions });

describe("node-imdsv2-hop-limit-1", () => {
  it("passes the launch template the node groups use", async () => {
    const args = resourceArgs(T.launchTemplate, nodeLaunchTemplateSettings(110, 100));
    expect(messagesOf(await checkResource(nodeMetadataProtected, args))).toEqual([]);
  });

  it("fails IMDSv1 and a hop limit of 2, naming both and the fix", async () => {
    const outcome = await checkResource(
      nodeMetadataProtected,
      template({ httpEndpoint: "enabled", httpTokens: "optional", httpPutResponseHopLimit: 2 }),
    );
    expect(messagesOf(outcome)).toEqual([
      expect.stringMatching(
        /httpTokens is optional and httpPutResponseHopLimit is 2.*Fix: .*httpTokens: "required"/,
      ),
    ]);
  });

  it("fails a template without metadata options (EC2 defaults allow IMDSv1)", async () => {
    expect(messagesOf(await checkResource(nodeMetadataProtected, template(undefined)))).toHaveLength(1);
  });

  it("passes a template whose metadata service is off", async () => {
    const outcome = await checkResource(nodeMetadataProtected, template({ httpEndpoint: "disabled" }));
    expect(messagesOf(outcome)).toEqual([]);
  });

  it("fails a node group without a launch template, and passes one whose template id is not known yet", async () => {
    const bare = await checkResource(
      nodeMetadataProtected,
      resourceArgs(T.managedNodeGroup, { instanceTypes: ["m6i.large"] }),
    );
    expect(messagesOf(bare)).toEqual([expect.stringContaining("no launch template")]);
    const pending = await checkResource(
      nodeMetadataProtected,
      resourceArgs(T.eksNodeGroup, { launchTemplate: { id: UNKNOWN, version: UNKNOWN } }),
    );
    expect(pending).toEqual({ violations: [] });
  });

  it("cannot judge a template whose metadata options are unknown: CrossGuard's 'can't run during preview'", async () => {
    const outcome = await checkResource(nodeMetadataProtected, template(UNKNOWN as never));
    expect(outcome.unknown?.message).toContain("metadataOptions");
  });
});
