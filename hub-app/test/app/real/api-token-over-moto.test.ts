/** The Hub's API token read from Secrets Manager, served by moto, through the real AWS SDK over HTTP. */
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { describe, expect, it } from "vitest";
import { resolveApiToken } from "../../../src/api-token.js";
import { fetchSecretString } from "../../../src/secret-token.js";
import { motoForThisFile } from "../../peers/moto-server.js";

const moto = motoForThisFile();

/** fetchSecretString destroys the client it is given, so each read gets its own. */
const client = () => new SecretsManagerClient({ ...moto().clientConfig, maxAttempts: 1 });

async function secret(name: string, value: { SecretString: string } | { SecretBinary: Uint8Array }) {
  const created = await client().send(new CreateSecretCommand({ Name: name, ...value }));
  return created.ARN!;
}

describe("the API token from Secrets Manager", () => {
  it("reads a secret that is the token itself", async () => {
    const arn = await secret("hub/token-plain", { SecretString: "  plain-token-0123456789abcdef\n" });
    expect(arn).toMatch(/^arn:aws:secretsmanager:eu-west-1:123456789012:secret:hub\/token-plain-/);
    expect(await fetchSecretString(arn, client())).toBe("plain-token-0123456789abcdef");
  });

  it('reads the "token" field of a JSON secret, as the Hub resolves it at start', async () => {
    const arn = await secret("hub/token-json", {
      SecretString: JSON.stringify({ token: "json-token-0123456789abcdef", rotatedBy: "ops" }),
    });
    const resolved = await resolveApiToken({ apiTokenSecretArn: arn }, (name) =>
      fetchSecretString(name, client()),
    );
    expect(resolved).toEqual({ token: "json-token-0123456789abcdef", source: "secrets-manager" });
  });

  it("names the secret when it does not exist, and keeps AWS's error as the cause", async () => {
    const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:hub/missing-AbCdEf";
    const failure = fetchSecretString(arn, client());
    await expect(failure).rejects.toThrow(`cannot read the API token from Secrets Manager secret ${arn}`);
    await expect(failure).rejects.toMatchObject({ cause: { name: "ResourceNotFoundException" } });
  });

  it("refuses a deleted secret, a binary secret and JSON without a token, saying which", async () => {
    const deleted = await secret("hub/token-deleted", { SecretString: "deleted-token-0123456789" });
    await client().send(new DeleteSecretCommand({ SecretId: deleted, RecoveryWindowInDays: 7 }));
    await expect(fetchSecretString(deleted, client())).rejects.toMatchObject({
      message: expect.stringContaining(`secret ${deleted}`),
      cause: { name: "InvalidRequestException" },
    });

    const binary = await secret("hub/token-binary", { SecretBinary: new Uint8Array([1, 2, 3]) });
    await expect(fetchSecretString(binary, client())).rejects.toThrow(
      `Secrets Manager secret ${binary} has no string value; store the API token as SecretString`,
    );

    const noToken = await secret("hub/token-no-field", { SecretString: '{"password":"x"}' });
    await expect(fetchSecretString(noToken, client())).rejects.toThrow(
      'the API token secret is JSON without a "token" string',
    );
  });

  it("refuses a secret that looks like JSON but is not, without quoting it (the message reaches the logs)", async () => {
    const arn = await secret("hub/token-broken-json", { SecretString: '{"token": s3cret-value}' });
    const failure = fetchSecretString(arn, client());
    await expect(failure).rejects.toThrow(/starts with "\{" but is not valid JSON/);
    await expect(failure).rejects.not.toThrow(/s3cret-value/);
  });
});
