/**
 * On-demand list prices the cost model uses, in USD, one region at a time. Each figure names the AWS
 * page that states it and the copy that was read on READ_ON (the AWS pages themselves could not be
 * opened where this was written, so each figure was read from a dated copy or quotation of them; prices
 * change: re-read the AWS page before relying on them). Only regions whose every figure was checked are
 * here; the model refuses any other.
 */

export interface RegionPrices {
  /** EKS cluster, standard support, per hour. */
  readonly eksClusterHour: number;
  /** EC2 Linux on-demand, per instance-hour. */
  readonly ec2InstanceHour: Readonly<Record<string, number>>;
  /** Fargate Linux/x86, per vCPU-hour and per GB-hour (ECS tasks and EKS pods alike). */
  readonly fargateVcpuHour: number;
  readonly fargateGbHour: number;
  /** NAT gateway: per gateway-hour and per GB processed. */
  readonly natGatewayHour: number;
  readonly natGatewayGb: number;
  /** Load balancer hour (ALB and NLB alike), ALB per LCU-hour, NLB per NLCU-hour. */
  readonly loadBalancerHour: number;
  readonly albLcuHour: number;
  readonly nlbLcuHour: number;
}

export interface PriceSource {
  readonly figure: string;
  /** The AWS page that states it. */
  readonly page: string;
  /** The copy that was read, and the date it was read on. */
  readonly readFrom: string;
  readonly readOn: string;
}

export const PRICES: Readonly<Record<string, RegionPrices>> = {
  "us-east-1": {
    eksClusterHour: 0.1,
    ec2InstanceHour: {
      "m6i.large": 0.096,
      "m6i.xlarge": 0.192,
      "m6i.2xlarge": 0.384,
      "m6i.4xlarge": 0.768,
      "m5.2xlarge": 0.384,
      "m7i.2xlarge": 0.4032,
    },
    fargateVcpuHour: 0.04048,
    fargateGbHour: 0.004445,
    natGatewayHour: 0.045,
    natGatewayGb: 0.045,
    loadBalancerHour: 0.0225,
    albLcuHour: 0.008,
    nlbLcuHour: 0.006,
  },
};

const READ_ON = "2026-12-02";

export const PRICE_SOURCES: readonly PriceSource[] = [
  {
    figure: "EKS cluster $0.10/hour (standard support)",
    page: "https://aws.amazon.com/eks/pricing/",
    readFrom:
      "AWS Containers blog, 'Amazon EKS extended support for Kubernetes versions pricing': standard support 'unchanged — you will continue to pay $0.10 per cluster per hour'",
    readOn: READ_ON,
  },
  {
    figure: "EC2 m6i.large $0.096, m6i.2xlarge $0.384 per hour (us-east-1, Linux, on-demand)",
    page: "https://aws.amazon.com/ec2/pricing/on-demand/",
    readFrom:
      "the AWS Price List API as aws/karpenter-provider-aws pkg/providers/pricing/zz_generated.pricing_aws.go records it (generated 2026-01-19 for us-east-1)",
    readOn: READ_ON,
  },
  {
    figure: "Fargate Linux/x86 $0.04048 per vCPU-hour, $0.004445 per GB-hour (us-east-1)",
    page: "https://aws.amazon.com/fargate/pricing/",
    readFrom:
      "the ECS pricing page's example 'CPU cost: $0.000011244 per vCPU second' (x 3600 = $0.04048), and the per-hour table as vantage.sh/blog/fargate-pricing quotes it",
    readOn: READ_ON,
  },
  {
    figure: "NAT gateway $0.045 per hour and $0.045 per GB processed",
    page: "https://aws.amazon.com/vpc/pricing/",
    readFrom:
      "the page's US East NAT gateway rates as cloudburn.io/blog/aws-nat-gateway-pricing and egresscost.com/nat-gateway (March 2026) quote them",
    readOn: READ_ON,
  },
  {
    figure: "Load balancer $0.0225 per hour; ALB $0.008 per LCU-hour; NLB $0.006 per NLCU-hour",
    page: "https://aws.amazon.com/elasticloadbalancing/pricing/",
    readFrom:
      "the page's US East rates as awsnegotiations.com/elastic-load-balancer-cost.html (May 2026) and clustercost.com/blog/network-load-balancer-pricing-2025 quote them",
    readOn: READ_ON,
  },
];

export function pricesFor(region: string): RegionPrices {
  const prices = PRICES[region];
  if (prices === undefined) {
    throw new Error(
      `no checked prices for region ${region}: the cost model knows ${Object.keys(PRICES).join(", ")} (scripts/study/cost/prices.ts says where each figure comes from)`,
    );
  }
  return prices;
}
