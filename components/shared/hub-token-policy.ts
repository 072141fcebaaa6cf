/** IAM for whatever starts the Hub (ECS task execution role, EKS IRSA role): read the Hub's API token, nothing else. */
export function hubTokenReadPolicy(tokenSecretArn: string) {
  if (!/^arn:aws[a-z-]*:secretsmanager:/.test(tokenSecretArn)) {
    throw new Error(`the Hub token must be a Secrets Manager ARN, got "${tokenSecretArn}"`);
  }
  return {
    Version: "2012-10-17" as const,
    Statement: [
      {
        Sid: "ReadHubToken",
        Effect: "Allow" as const,
        Action: ["secretsmanager:GetSecretValue"],
        Resource: tokenSecretArn,
      },
    ],
  };
}
