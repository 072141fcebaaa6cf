/** The three candidate platforms a stack may deploy, in `sandbox-platform:candidates` spelling. */
export const CANDIDATES = ["eks-ec2", "eks-fargate", "ecs-fargate"] as const;
export type Candidate = (typeof CANDIDATES)[number];
