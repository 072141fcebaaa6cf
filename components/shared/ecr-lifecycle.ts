/**
 * The ECR lifecycle policy for the Hub's repository: keep the newest N images of any tag, expire
 * the rest (ECR docs: "Lifecycle policy parameters", countType imageCountMoreThan).
 */
export function keepLastImagesPolicy(keep: number): string {
  if (!Number.isInteger(keep) || keep < 1) {
    throw new Error(`HubImage keepImages must be a whole number of at least 1, got ${keep}`);
  }
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: `Keep the last ${keep} Hub images`,
        selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keep },
        action: { type: "expire" },
      },
    ],
  });
}
