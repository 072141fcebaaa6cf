import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { resolveApiToken } from "../../src/api-token.js";
import { fetchSecretString } from "../../src/secret-token.js";

const ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:hub-token-AbCdEf";
const secrets = mockClient(SecretsManagerClient);

afterEach(() => secrets.reset());

describe("resolveApiToken", () => {
  it("prefers HUB_API_TOKEN and never calls Secrets Manager then", async () => {
    const token = await resolveApiToken({ apiToken: "from-the-environment", apiTokenSecretArn: ARN }, () => {
      throw new Error("must not be called");
    });
    expect(token).toEqual({ token: "from-the-environment", source: "environment" });
  });

  it("reads the secret when only the ARN is given", async () => {
    secrets.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: "secret-token-value" });
    expect(await resolveApiToken({ apiTokenSecretArn: ARN })).toEqual({
      token: "secret-token-value",
      source: "secrets-manager",
    });
  });

  it("generates a strong token when neither is given", async () => {
    const first = await resolveApiToken({});
    const second = await resolveApiToken({});
    expect(first.source).toBe("generated");
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.token).not.toBe(second.token);
  });
});

describe("fetchSecretString", () => {
  it("accepts JSON with a token field", async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: '{"token":"json-held-token"}' });
    expect(await fetchSecretString(ARN, new SecretsManagerClient({ region: "eu-west-1" }))).toBe(
      "json-held-token",
    );
  });

  it("explains a secret without a string value", async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1]) });
    await expect(fetchSecretString(ARN, new SecretsManagerClient({ region: "eu-west-1" }))).rejects.toThrow(
      /has no string value/,
    );
  });

  it("names the secret when Secrets Manager refuses", async () => {
    secrets.on(GetSecretValueCommand).rejects(new Error("AccessDeniedException"));
    await expect(fetchSecretString(ARN, new SecretsManagerClient({ region: "eu-west-1" }))).rejects.toThrow(
      `cannot read the API token from Secrets Manager secret ${ARN}`,
    );
  });
});
