/**
 * Evaluates the policy pack against a recorded (mocked) preview the way the engine does during
 * `pulumi preview`: every resource through Analyze as it registers, then the whole stack through
 * AnalyzeStack. Diagnostics come back as CrossGuard makes them.
 */
import { join } from "node:path";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import { PolicyPackProcess } from "./analyzer-client";
import { analyzerProperties } from "./engine-properties";
import type { AnalyzedResource } from "./stack-record";

/** The pack `pulumi preview --policy-pack policy` runs. */
export const POLICY_PACK_DIR = join(__dirname, "..", "..", "policy");

export type Level = "advisory" | "mandatory" | "disabled" | "remediate";

export interface PolicySummary {
  readonly name: string;
  readonly level: Level;
}

export interface Diagnostic {
  readonly policy: string;
  readonly level: Level;
  readonly description: string;
  readonly message: string;
  /** The resource the violation is about; absent for a stack-wide one. */
  readonly urn: string | undefined;
}

export interface PackInfo {
  readonly name: string;
  readonly policies: PolicySummary[];
}

export interface StackResult {
  readonly stack: string;
  readonly resourceCount: number;
  readonly diagnostics: Diagnostic[];
}

const LEVELS: Record<number, Level> = {
  [analyzer.EnforcementLevel.ADVISORY]: "advisory",
  [analyzer.EnforcementLevel.MANDATORY]: "mandatory",
  [analyzer.EnforcementLevel.DISABLED]: "disabled",
  [analyzer.EnforcementLevel.REMEDIATE]: "remediate",
};

function optionsOf(resource: AnalyzedResource): analyzer.AnalyzerResourceOptions {
  const options = new analyzer.AnalyzerResourceOptions();
  options.setProtect(false);
  if (resource.parentUrn) options.setParent(resource.parentUrn);
  return options;
}

function propertiesOf(resource: AnalyzedResource): Struct {
  return Struct.fromJavaScript(analyzerProperties(resource.wireInputs));
}

function analyzeRequest(resource: AnalyzedResource): analyzer.AnalyzeRequest {
  return new analyzer.AnalyzeRequest()
    .setUrn(resource.urn)
    .setType(resource.type)
    .setName(resource.name)
    .setProperties(propertiesOf(resource))
    .setOptions(optionsOf(resource));
}

function stackResource(resource: AnalyzedResource): analyzer.AnalyzerResource {
  const message = new analyzer.AnalyzerResource()
    .setUrn(resource.urn)
    .setType(resource.type)
    .setName(resource.name)
    .setProperties(propertiesOf(resource))
    .setOptions(optionsOf(resource))
    .setParent(resource.parentUrn ?? "")
    .setDependenciesList(resource.dependencies);
  const byProperty = message.getPropertydependenciesMap();
  for (const [property, urns] of Object.entries(resource.propertyDependencies)) {
    byProperty.set(property, new analyzer.AnalyzerPropertyDependencies().setUrnsList(urns));
  }
  return message;
}

function diagnosticsOf(response: analyzer.AnalyzeResponse, fallbackUrn?: string): Diagnostic[] {
  return response.getDiagnosticsList().map((d) => ({
    policy: d.getPolicyname(),
    level: LEVELS[d.getEnforcementlevel()] ?? "mandatory",
    description: d.getDescription(),
    message: d.getMessage(),
    urn: d.getUrn() || fallbackUrn,
  }));
}

/** Runs every resource of one stack through Analyze, then the stack through AnalyzeStack. */
export async function evaluateStack(
  pack: PolicyPackProcess,
  resources: readonly AnalyzedResource[],
): Promise<Diagnostic[]> {
  const diagnostics: Diagnostic[] = [];
  for (const resource of resources) {
    diagnostics.push(...diagnosticsOf(await pack.analyze(analyzeRequest(resource)), resource.urn));
  }
  const stack = new analyzer.AnalyzeStackRequest().setResourcesList(resources.map(stackResource));
  diagnostics.push(...diagnosticsOf(await pack.analyzeStack(stack)));
  return diagnostics;
}

/** The pack's name, version and policies with their enforcement levels, as it reports them. */
export async function packInfo(pack: PolicyPackProcess): Promise<PackInfo> {
  const info = await pack.info();
  return {
    name: `${info.getName()}@${info.getVersion()}`,
    policies: info.getPoliciesList().map((p) => ({
      name: p.getName(),
      level: LEVELS[p.getEnforcementlevel()] ?? "mandatory",
    })),
  };
}

/** Starts the pack once and evaluates each stack against it. */
export async function evaluatePolicyPack(
  packDir: string,
  stacks: readonly { stack: string; resources: readonly AnalyzedResource[] }[],
): Promise<{ pack: PackInfo; results: StackResult[] }> {
  const pack = await PolicyPackProcess.start(packDir);
  try {
    const results: StackResult[] = [];
    for (const { stack, resources } of stacks) {
      results.push({
        stack,
        resourceCount: resources.length,
        diagnostics: await evaluateStack(pack, resources),
      });
    }
    return { pack: await packInfo(pack), results };
  } finally {
    await pack.stop();
  }
}
