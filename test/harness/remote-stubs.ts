/**
 * Outputs for remote (multi-language) components, and for the few resources whose outputs the program
 * reads from what AWS or a controller writes (a load balancer's name). Under mocks Pulumi does not run
 * their providers, so each stub returns the outputs the program reads, derived from the inputs and
 * the name. Values AWS would compute carry "mocked" so the plan shows them as computed.
 */
export type Inputs = Record<string, any>;
type Stub = (name: string, inputs: Inputs) => Inputs;

export const MOCK_ACCOUNT = "123456789012";
export const MOCK_REGION = "eu-west-1";

/** The partition the mocked account lives in: tests of aws-cn / aws-us-gov behaviour change it. */
export const mockPartition = { name: "aws" };

export const mockArn = (service: string, resource: string): string =>
  `arn:${mockPartition.name}:${service}:${MOCK_REGION}:${MOCK_ACCOUNT}:mocked-${resource}`;

const OIDC_ISSUER = `https://oidc.eks.${MOCK_REGION}.amazonaws.com/id/MOCKED0123456789`;

const clusterStub: Stub = (name, inputs) => ({
  ...inputs,
  kubeconfig: {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster: { server: "https://mocked" } }],
  },
  kubeconfigJson: JSON.stringify({ apiVersion: "v1", kind: "Config" }),
  clusterSecurityGroupId: `mocked-sg-${name}-cluster`,
  nodeSecurityGroupId: `mocked-sg-${name}-nodes`,
  oidcProviderArn: `arn:${mockPartition.name}:iam::${MOCK_ACCOUNT}:oidc-provider/${OIDC_ISSUER.replace("https://", "")}`,
  oidcProviderUrl: OIDC_ISSUER,
  oidcIssuer: OIDC_ISSUER.replace("https://", ""),
  eksCluster: {
    name: inputs.name ?? `${name}-eksCluster-mocked`,
    arn: mockArn("eks", `cluster/${name}`),
    id: `${name}-eksCluster-mocked`,
    version: inputs.version,
    vpcConfig: { clusterSecurityGroupId: `mocked-sg-${name}-eks` },
    // EKS picks 10.100.0.0/16 or 172.20.0.0/16; a VPC in 10/8 gets the latter.
    kubernetesNetworkConfig: { serviceIpv4Cidr: "172.20.0.0/16", ipFamily: "ipv4" },
    identities: [{ oidcs: [{ issuer: OIDC_ISSUER }] }],
  },
  core: {
    cluster: { name: `${name}-eksCluster-mocked` },
    oidcProvider: {
      arn: `arn:${mockPartition.name}:iam::${MOCK_ACCOUNT}:oidc-provider/mocked`,
      url: OIDC_ISSUER,
    },
  },
});

const managedNodeGroupStub: Stub = (name, inputs) => ({
  ...inputs,
  nodeGroup: {
    nodeGroupName: inputs.nodeGroupName ?? `${name}-mocked`,
    arn: mockArn("eks", `nodegroup/${name}`),
    resources: [{ autoscalingGroups: [{ name: `eks-${name}-mocked-asg` }] }],
  },
});

const vpcStub: Stub = (name, inputs) => ({
  ...inputs,
  vpcId: `mocked-vpc-${name}`,
  privateSubnetIds: [`mocked-subnet-${name}-private-1`, `mocked-subnet-${name}-private-2`],
  publicSubnetIds: [`mocked-subnet-${name}-public-1`, `mocked-subnet-${name}-public-2`],
  isolatedSubnetIds: [],
  vpc: { id: `mocked-vpc-${name}`, cidrBlock: inputs.cidrBlock ?? "10.0.0.0/16" },
  routeTables: [],
});

const imageStub: Stub = (name, inputs) => ({
  ...inputs,
  imageUri: `${MOCK_ACCOUNT}.dkr.ecr.${MOCK_REGION}.amazonaws.com/mocked-${name}@sha256:mocked`,
});

const applicationLoadBalancerStub: Stub = (name, inputs) => ({
  ...inputs,
  loadBalancer: {
    dnsName: `mocked-${name}.${MOCK_REGION}.elb.amazonaws.com`,
    arn: mockArn("elasticloadbalancing", name),
  },
  defaultTargetGroup: { arn: mockArn("elasticloadbalancing", `targetgroup/${name}`) },
  defaultSecurityGroup: { id: `mocked-sg-${name}-alb` },
});

/** random.RandomPassword: its provider does not run under mocks; a fixed value lets tests trace where it goes. */
const randomPasswordStub: Stub = (name, inputs) => ({ ...inputs, result: `mocked-password-${name}` });

/**
 * A LoadBalancer Service as the Kubernetes provider hands it back: it waits until the service controller
 * has written the load balancer's name into the status (pulumi-kubernetes, Service await logic).
 */
const serviceStub: Stub = (name, inputs) =>
  inputs.spec?.type === "LoadBalancer"
    ? {
        ...inputs,
        status: {
          loadBalancer: { ingress: [{ hostname: `mocked-${name}.elb.${MOCK_REGION}.amazonaws.com` }] },
        },
      }
    : inputs;

/** An ALB's name and hosted zone as AWS assigns them: DNS records and the Hub's URL lead there. */
const loadBalancerStub: Stub = (name, inputs) => ({
  ...inputs,
  arn: mockArn("elasticloadbalancing", `loadbalancer/app/${name}`),
  dnsName: `mocked-${name}.${MOCK_REGION}.elb.amazonaws.com`,
  // Application Load Balancers' zone in eu-west-1 (AWS General Reference, "Elastic Load Balancing endpoints").
  zoneId: "Z32O12XQLNTSW2",
});

/** Type token -> stub. Add an entry when the program starts using a new one. */
export const REMOTE_STUBS: Record<string, Stub> = {
  "eks:index:Cluster": clusterStub,
  "eks:index:ManagedNodeGroup": managedNodeGroupStub,
  "awsx:ec2:Vpc": vpcStub,
  "awsx:ecr:Image": imageStub,
  "awsx:lb:ApplicationLoadBalancer": applicationLoadBalancerStub,
  "random:index/randomPassword:RandomPassword": randomPasswordStub,
  "kubernetes:core/v1:Service": serviceStub,
  "aws:lb/loadBalancer:LoadBalancer": loadBalancerStub,
};
