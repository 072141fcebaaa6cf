/**
 * VPC endpoints that keep image pulls, token exchange and logs off the NAT gateway.
 * ECR needs both `ecr.api` and `ecr.dkr`, and the S3 gateway because layers are served from S3
 * (AWS docs: "Amazon ECR interface VPC endpoints (AWS PrivateLink)").
 */
export const INTERFACE_ENDPOINT_SERVICES = ["ecr.api", "ecr.dkr", "sts", "logs"] as const;
export const GATEWAY_ENDPOINT_SERVICES = ["s3"] as const;

export function endpointServiceName(region: string, service: string): string {
  return `com.amazonaws.${region}.${service}`;
}
