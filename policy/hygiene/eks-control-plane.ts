/**
 * The EKS control plane: Kubernetes secrets enveloped with a KMS key that rotates (EKS docs, "Encrypt
 * Kubernetes secrets with KMS"); control-plane logs on, into the log group EKS would otherwise create
 * itself with no expiry (EKS docs, "Send control plane logs to CloudWatch Logs"); and, as advice, a public
 * endpoint open to named networks only (EKS docs, "Cluster API server endpoint").
 * Both the pulumi-eks component (`eks:index:Cluster`) and the cluster it creates are read.
 */
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { describe, linked, list, ofType, waitsFor } from "../lib/resources";
import { T } from "../lib/types";
import { Unknowns } from "../lib/unknowns";

/** The log types an incident needs: who called the API server, as whom, and what it answered. */
export const REQUIRED_LOG_TYPES = ["api", "audit", "authenticator"] as const;

const clusters = (resources: readonly PolicyResource[]) =>
  ofType(resources, T.eksComponentCluster, T.eksCluster);

export const eksSecretsEncrypted: StackValidationPolicy = {
  name: "eks-secrets-encrypted-rotating-key",
  description: "EKS clusters encrypt Kubernetes secrets with a KMS key of this program that rotates.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const unknowns = new Unknowns();
    const fix =
      "Fix: an aws.kms.Key with enableKeyRotation: true, passed as the cluster's secrets encryption key.";
    unknowns.each(clusters(args.resources), (cluster) => {
      const component = cluster.type === T.eksComponentCluster;
      const property = component ? "encryptionConfigKeyArn" : "encryptionConfig";
      const config = cluster.props.encryptionConfig as { resources?: string[] } | undefined;
      const configured = component ? property in cluster.props : list(config?.resources).includes("secrets");
      if (!configured) {
        reportViolation(
          `${describe(cluster)} does not encrypt Kubernetes secrets with KMS. ${fix}`,
          cluster.urn,
        );
        return;
      }
      const keys = linked(cluster, property, T.kmsKey);
      if (keys.length === 0) {
        reportViolation(
          `${describe(cluster)} uses a KMS key this program does not declare: its rotation cannot be checked. ${fix}`,
          cluster.urn,
        );
      }
      for (const key of keys.filter((k) => k.props.enableKeyRotation !== true)) {
        reportViolation(
          `${describe(key)}, which encrypts the secrets of ${describe(cluster)}, does not rotate. ${fix}`,
          key.urn,
        );
      }
    });
    unknowns.done();
  },
};

export const eksControlPlaneLogged: StackValidationPolicy = {
  name: "eks-control-plane-logs-retained",
  description: `EKS clusters send ${REQUIRED_LOG_TYPES.join(", ")} logs to a log group the program creates first, with a retention.`,
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const unknowns = new Unknowns();
    const logGroups = ofType(args.resources, T.logGroup);
    unknowns.each(clusters(args.resources), (cluster) => {
      const enabled = list(cluster.props.enabledClusterLogTypes as string[] | undefined);
      const missing = REQUIRED_LOG_TYPES.filter((type) => !enabled.includes(type));
      if (missing.length > 0) {
        reportViolation(
          `${describe(cluster)} does not log ${missing.join(", ")}. Fix: enabledClusterLogTypes: ${JSON.stringify(REQUIRED_LOG_TYPES)} at least.`,
          cluster.urn,
        );
      }
      const name = cluster.props.name as string | undefined;
      const groupName = `/aws/eks/${name}/cluster`;
      const group = name === undefined ? undefined : logGroups.find((g) => g.props.name === groupName);
      const fix = `Fix: an aws.cloudwatch.LogGroup named ${name === undefined ? "/aws/eks/<cluster name>/cluster (give the cluster a fixed name)" : groupName} with retentionInDays, in the cluster's dependsOn.`;
      if (!group) {
        reportViolation(
          `${describe(cluster)}: EKS would create its log group itself, keeping logs forever. ${fix}`,
          cluster.urn,
        );
      } else if (!(group.props.retentionInDays > 0)) {
        reportViolation(`${describe(group)} keeps the control-plane logs forever. ${fix}`, group.urn);
      } else if (!waitsFor(cluster, group)) {
        reportViolation(
          `${describe(cluster)} does not wait for ${describe(group)}: EKS may create the group first. ${fix}`,
          cluster.urn,
        );
      }
    });
    unknowns.done();
  },
};

export const eksEndpointRestricted: ResourceValidationPolicy = {
  name: "eks-public-endpoint-restricted",
  description:
    "The EKS public API endpoint is open to named networks only (advisory: 0.0.0.0/0 is the first deploy's default).",
  enforcementLevel: "advisory",
  validateResource: (args, reportViolation) => {
    if (args.type !== T.eksComponentCluster && args.type !== T.eksCluster) return;
    const settings = (args.type === T.eksCluster ? args.props.vpcConfig : args.props) as {
      endpointPublicAccess?: boolean;
      publicAccessCidrs?: string[];
    };
    if (settings?.endpointPublicAccess === false) return;
    const cidrs = list(settings?.publicAccessCidrs);
    if (cidrs.length === 0 || cidrs.includes("0.0.0.0/0")) {
      reportViolation(
        "the public API endpoint accepts connections from anywhere. Fix: set eks.publicAccessCidrs to the operators' networks, or turn the public endpoint off.",
      );
    }
  },
};
