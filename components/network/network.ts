import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { endpointServiceName, GATEWAY_ENDPOINT_SERVICES, INTERFACE_ENDPOINT_SERVICES } from "./endpoints";
import { PRIVATE_SUBNET_TAGS, PUBLIC_SUBNET_TAGS } from "./tags";

export interface NetworkArgs {
  /** Required; the stack's default comes from `stacks/config-schema.ts` (`network.vpcCidr`). */
  readonly cidrBlock: string;
  /** Required; the stack's default comes from `stacks/config-schema.ts` (`network.availabilityZones`). */
  readonly availabilityZones: number;
  /** Required; the stack's default comes from `stacks/config-schema.ts` (`network.natGateways`). */
  readonly natGateways: "single" | "onePerAz";
  /** Interface endpoints for ECR, STS and logs, and the S3 gateway endpoint. Required; the stack's default comes from `stacks/config-schema.ts` (`network.vpcEndpoints`). */
  readonly vpcEndpoints: boolean;
}

/** One VPC for every candidate: private subnets for nodes, pods and tasks; public subnets for load balancers. */
export class Network extends pulumi.ComponentResource {
  public readonly vpc: awsx.ec2.Vpc;
  public readonly vpcId: pulumi.Output<string>;
  public readonly cidrBlock: string;
  public readonly privateSubnetIds: pulumi.Output<string[]>;
  public readonly publicSubnetIds: pulumi.Output<string[]>;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hub:network:Network", name, {}, opts);
    this.cidrBlock = args.cidrBlock;
    this.vpc = new awsx.ec2.Vpc(
      `${name}-vpc`,
      {
        cidrBlock: args.cidrBlock,
        numberOfAvailabilityZones: args.availabilityZones,
        enableDnsHostnames: true,
        enableDnsSupport: true,
        natGateways: { strategy: args.natGateways === "single" ? "Single" : "OnePerAz" },
        subnetStrategy: "Auto",
        subnetSpecs: [
          { type: "Private", tags: { ...PRIVATE_SUBNET_TAGS } },
          { type: "Public", tags: { ...PUBLIC_SUBNET_TAGS } },
        ],
        tags: { Name: name },
      },
      { parent: this },
    );
    this.vpcId = this.vpc.vpcId;
    this.privateSubnetIds = this.vpc.privateSubnetIds;
    this.publicSubnetIds = this.vpc.publicSubnetIds;
    if (args.vpcEndpoints) this.addEndpoints(name, args.cidrBlock);
    this.registerOutputs({ vpcId: this.vpcId, privateSubnetIds: this.privateSubnetIds });
  }

  private addEndpoints(name: string, cidrBlock: string): void {
    const region = aws.getRegionOutput({}, { parent: this }).region;
    const endpointSecurityGroup = new aws.ec2.SecurityGroup(
      `${name}-endpoints`,
      {
        vpcId: this.vpcId,
        description: "HTTPS from inside the VPC to interface endpoints",
        ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: [cidrBlock] }],
      },
      { parent: this },
    );
    for (const service of INTERFACE_ENDPOINT_SERVICES) {
      new aws.ec2.VpcEndpoint(
        `${name}-${service.replace(".", "-")}`,
        {
          vpcId: this.vpcId,
          serviceName: region.apply((r) => endpointServiceName(r, service)),
          vpcEndpointType: "Interface",
          privateDnsEnabled: true,
          subnetIds: this.privateSubnetIds,
          securityGroupIds: [endpointSecurityGroup.id],
        },
        { parent: this },
      );
    }
    const privateRouteTableIds = this.vpc.routeTables.apply((tables) => tables.map((t) => t.id));
    for (const service of GATEWAY_ENDPOINT_SERVICES) {
      new aws.ec2.VpcEndpoint(
        `${name}-${service}`,
        {
          vpcId: this.vpcId,
          serviceName: region.apply((r) => endpointServiceName(r, service)),
          vpcEndpointType: "Gateway",
          routeTableIds: privateRouteTableIds,
        },
        { parent: this },
      );
    }
  }
}
