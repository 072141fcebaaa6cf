/**
 * Subnet tags the AWS Load Balancer Controller and the in-tree service controller use to pick
 * subnets for load balancers (EKS docs: "Subnet requirements and considerations").
 */
export const PUBLIC_SUBNET_TAGS = { "kubernetes.io/role/elb": "1" } as const;
export const PRIVATE_SUBNET_TAGS = { "kubernetes.io/role/internal-elb": "1" } as const;
