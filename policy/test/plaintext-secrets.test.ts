import { describe, expect, it } from "vitest";
import { hubContainerDefinition } from "../../components/ecs/container-definitions";
import { noPlaintextSecrets, plaintextSecret } from "../hygiene/plaintext-secrets";
import { T } from "../lib/types";
import { ecsStack } from "./ecs-fixture";
import { eksStack } from "./eks-fixture";
import { checkResource, messagesOf, resourceArgs } from "./policy-args";

const logs = { logGroupName: "ecs-logs", region: "eu-west-1" };

describe("no-plaintext-secrets", () => {
  it("passes the Hub's task definition (token through `secrets`) and the Hub's pod (token by ARN)", async () => {
    const { hubTaskDefinition } = ecsStack();
    const { hub, placeholders } = eksStack();
    for (const resource of [hubTaskDefinition, hub, placeholders]) {
      const args = resourceArgs(
        resource.type,
        JSON.parse(JSON.stringify(resource.props)) as Record<string, unknown>,
      );
      expect(messagesOf(await checkResource(noPlaintextSecrets, args)), resource.name).toEqual([]);
    }
  });

  it("fails a task definition with the token in its environment and a secret from an SSM parameter", async () => {
    const container = {
      ...hubContainerDefinition({
        image: "hub:1",
        environment: { LOG_LEVEL: "info" },
        tokenSecretArn: "arn:aws:secretsmanager:eu-west-1:1:secret:t",
        logs,
      }),
      environment: [{ name: "HUB_API_TOKEN", value: "s3cr3t-value" }],
      secrets: [{ name: "DB_PASSWORD", valueFrom: "arn:aws:ssm:eu-west-1:1:parameter/db" }],
    };
    const args = resourceArgs(T.taskDefinition, { containerDefinitions: JSON.stringify([container]) });
    expect(messagesOf(await checkResource(noPlaintextSecrets, args))).toEqual([
      expect.stringMatching(/container "hub": HUB_API_TOKEN looks like a secret and is a literal\. Fix:/),
      expect.stringContaining("secret DB_PASSWORD comes from arn:aws:ssm"),
    ]);
  });

  it("fails a pod env with an AWS access key under any name", async () => {
    const { hub } = eksStack();
    const props = JSON.parse(JSON.stringify(hub.props)) as {
      spec: { template: { spec: { containers: { env: object[] }[] } } };
    };
    props.spec.template.spec.containers[0]!.env.push({
      name: "DEBUG_NOTE",
      value: "key AKIAABCDEFGHIJKLMNOP",
    });
    expect(messagesOf(await checkResource(noPlaintextSecrets, resourceArgs(T.deployment, props)))).toEqual([
      expect.stringContaining("DEBUG_NOTE holds a credential"),
    ]);
  });

  it("tells a reference from a secret", () => {
    expect(
      plaintextSecret("HUB_API_TOKEN_SECRET_ARN", "arn:aws:secretsmanager:eu-west-1:1:secret:t"),
    ).toBeUndefined();
    expect(plaintextSecret("HUB_API_TOKEN_SECRET_ARN", "plain")).toBeDefined();
    expect(plaintextSecret("LOG_LEVEL", "info")).toBeUndefined();
    expect(plaintextSecret("PRIVATE_KEY", "")).toBeUndefined();
    expect(plaintextSecret("CERT", "-----BEGIN RSA PRIVATE KEY-----\nabc")).toContain("holds a credential");
  });
});
