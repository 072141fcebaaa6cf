import { describe, expect, it } from "vitest";
import { ecsSandboxIngressHubOnly } from "../isolation/ecs-sandbox-ingress";
import { ecsSandboxTaskRoleExecOnly } from "../isolation/ecs-sandbox-role";
import { sandboxTaskDefinitions } from "../isolation/ecs-scope";
import { T } from "../lib/types";
import { ecsStack } from "./ecs-fixture";
import { messagesOf } from "./policy-args";

describe("ecs-sandbox-task-role-exec-only", () => {
  it("passes the template's task role (the four ssmmessages channels) and ignores the Hub's role", async () => {
    expect(await ecsStack().stack.check(ecsSandboxTaskRoleExecOnly)).toEqual({ violations: [] });
  });

  it("fails an extra action and a service wildcard in the inline policy, on that policy", async () => {
    const { stack, execChannels } = ecsStack();
    const document = JSON.parse(execChannels.props.policy as string);
    document.Statement.push({ Effect: "Allow", Action: ["s3:GetObject", "ssmmessages:*"], Resource: "*" });
    execChannels.props.policy = JSON.stringify(document);
    expect((await stack.check(ecsSandboxTaskRoleExecOnly)).violations).toEqual([
      {
        urn: execChannels.urn,
        message: expect.stringMatching(
          /allows s3:GetObject, ssmmessages:\*\. Fix: .*ssmmessages:CreateControlChannel/,
        ),
      },
    ]);
  });

  it("fails a managed policy attached to the task role", async () => {
    const { stack, taskRole } = ecsStack();
    const attachment = stack.add(
      T.rolePolicyAttachment,
      "extra",
      { role: "ecs-sandboxes-task-role", policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" },
      { from: { role: [taskRole] } },
    );
    expect((await stack.check(ecsSandboxTaskRoleExecOnly)).violations).toEqual([
      {
        urn: attachment.urn,
        message: expect.stringContaining("attaches arn:aws:iam::aws:policy/ReadOnlyAccess"),
      },
    ]);
  });

  it("treats a task definition no service runs as a sandbox's, and one with an undeclared role as unverifiable", async () => {
    const { stack, sandboxTaskDefinition, hubTaskDefinition } = ecsStack();
    const stray = stack.add(T.taskDefinition, "stray", { taskRoleArn: "arn:aws:iam::1:role/elsewhere" });
    expect(sandboxTaskDefinitions(stack.resources)).toEqual([sandboxTaskDefinition, stray]);
    expect(sandboxTaskDefinitions(stack.resources)).not.toContain(hubTaskDefinition);
    expect(messagesOf(await stack.check(ecsSandboxTaskRoleExecOnly))).toEqual([
      expect.stringContaining("a task role this program does not declare"),
    ]);
  });
});

describe("ecs-sandbox-ingress-hub-only", () => {
  it("passes the one rule from the Hub's security group", async () => {
    expect(await ecsStack().stack.check(ecsSandboxIngressHubOnly)).toEqual({ violations: [] });
  });

  it("fails an address range, the group itself and another group, each on its rule", async () => {
    const { stack, sandboxGroup, template } = ecsStack();
    const other = stack.add(T.securityGroup, "load-balancer", {});
    const rules = [
      stack.add(
        T.ingressRule,
        "from-vpc",
        { cidrIpv4: "10.0.0.0/16" },
        { parent: template, from: { securityGroupId: [sandboxGroup] } },
      ),
      stack.add(
        T.ingressRule,
        "from-self",
        { referencedSecurityGroupId: "sg-x" },
        { from: { securityGroupId: [sandboxGroup], referencedSecurityGroupId: [sandboxGroup] } },
      ),
      stack.add(
        T.ingressRule,
        "from-lb",
        { referencedSecurityGroupId: "sg-y" },
        { from: { securityGroupId: [sandboxGroup], referencedSecurityGroupId: [other] } },
      ),
      stack.add(
        T.securityGroupRule,
        "legacy",
        { type: "ingress", cidrBlocks: ["0.0.0.0/0"] },
        { from: { securityGroupId: [sandboxGroup] } },
      ),
    ];
    const outcome = await stack.check(ecsSandboxIngressHubOnly);
    expect(outcome.violations.map((v) => v.urn)).toEqual(rules.map((r) => r.urn));
    expect(messagesOf(outcome)).toEqual([
      expect.stringContaining("admits an address range"),
      expect.stringContaining("admits the sandboxes themselves"),
      expect.stringContaining(
        'admits aws:ec2/securityGroup:SecurityGroup "load-balancer", which is not the Hub\'s',
      ),
      expect.stringContaining("admits an address range"),
    ]);
  });

  it("fails an inline ingress block with CIDRs on the sandbox group", async () => {
    const { stack, sandboxGroup } = ecsStack();
    sandboxGroup.props.ingress = [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }];
    expect(messagesOf(await stack.check(ecsSandboxIngressHubOnly))).toEqual([
      expect.stringContaining(
        'ingress[0] of sandbox security group "ecs-sandboxes-security-group" admits an address range',
      ),
    ]);
  });
});
