import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

/**
 * Reads the API token from AWS Secrets Manager (HUB_API_TOKEN_SECRET_ARN). The secret is either
 * the token itself or JSON with a `token` field, as the infrastructure may store either.
 */
export async function fetchSecretString(arn: string, client = new SecretsManagerClient({})): Promise<string> {
  let secret: string | undefined;
  try {
    const answer = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    secret = answer.SecretString;
  } catch (error) {
    throw new Error(`cannot read the API token from Secrets Manager secret ${arn}`, { cause: error });
  } finally {
    client.destroy();
  }
  if (secret === undefined || secret.trim() === "") {
    throw new Error(`Secrets Manager secret ${arn} has no string value; store the API token as SecretString`);
  }
  return tokenFromSecret(secret.trim());
}

function tokenFromSecret(secret: string): string {
  if (!secret.startsWith("{")) return secret;
  let parsed: unknown;
  try {
    parsed = JSON.parse(secret);
  } catch {
    // V8's message quotes the text it could not parse: the secret must not reach the logs.
    throw new Error(
      'the API token secret starts with "{" but is not valid JSON; store the token itself or {"token": "..."}',
    );
  }
  const token =
    typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>).token : undefined;
  if (typeof token !== "string" || token === "")
    throw new Error('the API token secret is JSON without a "token" string');
  return token;
}
