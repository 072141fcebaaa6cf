/**
 * Secrets never sit in a task definition's or a pod's plain environment, where anyone who can describe
 * the task or read the pod sees them: a container gets a Secrets Manager reference instead (ECS docs,
 * "Pass Secrets Manager secrets through Amazon ECS environment variables"; the Hub on EKS reads its token
 * from Secrets Manager by ARN).
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { allContainers, podSpecOf } from "../lib/pods";
import { list } from "../lib/resources";
import { T } from "../lib/types";

/** Names that say the value is a secret. */
const SECRET_NAME = /PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL/i;
/** Values that are credentials whatever their name: AWS access key ids, PEM private keys. */
const SECRET_VALUE = /\b(AKIA|ASIA)[0-9A-Z]{16}\b|-----BEGIN [A-Z ]*PRIVATE KEY-----/;
const SECRETS_MANAGER_ARN = /^arn:aws[a-z-]*:secretsmanager:/;

/** Why a literal environment variable carries a secret, or undefined. */
export function plaintextSecret(name: string, value: string | undefined): string | undefined {
  if (value === undefined || value === "") return undefined;
  if (SECRET_VALUE.test(value)) return `${name} holds a credential`;
  if (SECRET_NAME.test(name) && !SECRETS_MANAGER_ARN.test(value))
    return `${name} looks like a secret and is a literal`;
  return undefined;
}

interface EcsContainer {
  name?: string;
  environment?: { name: string; value?: string }[];
  secrets?: { name: string; valueFrom: string }[];
}

const FIX =
  "Fix: keep the value in Secrets Manager and pass its ARN (ECS `secrets`, or an *_SECRET_ARN variable the app resolves).";

export const noPlaintextSecrets: ResourceValidationPolicy = {
  name: "no-plaintext-secrets",
  description:
    "Task definitions and pod specs carry no secret in plain environment variables; Secrets Manager references only.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type === T.taskDefinition) {
      const containers = JSON.parse(String(args.props.containerDefinitions ?? "[]")) as EcsContainer[];
      for (const container of containers) {
        for (const variable of list(container.environment)) {
          const why = plaintextSecret(variable.name, variable.value);
          if (why) reportViolation(`container "${container.name}": ${why}. ${FIX}`);
        }
        for (const secret of list(container.secrets)) {
          if (!SECRETS_MANAGER_ARN.test(secret.valueFrom)) {
            reportViolation(
              `container "${container.name}": secret ${secret.name} comes from ${secret.valueFrom}, not Secrets Manager. ${FIX}`,
            );
          }
        }
      }
      return;
    }
    const spec = podSpecOf(args);
    for (const container of spec ? allContainers(spec) : []) {
      for (const variable of list(container.env)) {
        const why = plaintextSecret(variable.name, variable.value);
        if (why) reportViolation(`container "${container.name}": ${why}. ${FIX}`);
      }
    }
  },
};
