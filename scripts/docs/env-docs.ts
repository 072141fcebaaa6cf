/**
 * Which generated tables live in which docs page, and what they are generated from: the Hub's
 * environment (hub-app/src/hub-env.ts, port-url-env.ts, each orchestrator's descriptor) and the
 * stacks' configuration (stacks/config-schema.ts). `npm run docs:env` writes them; a test checks they are current.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { hubEnvFields } from "../../hub-app/src/hub-env";
import { ORCHESTRATORS } from "../../hub-app/src/orchestrator/registry";
import { portUrlEnvFields } from "../../hub-app/src/port-url-env";
import { PROJECT, stackConfigSchema } from "../../stacks/config";
import {
  fieldsOf,
  markdownTable,
  objectSchemaIn,
  replaceGenerated,
  rowOf,
  type TableRow,
} from "./schema-tables";

export const REGENERATE_COMMAND = "npm run docs:env";

interface GeneratedBlock {
  readonly id: string;
  readonly content: () => string;
}

interface GeneratedDoc {
  /** Relative to the repository root. */
  readonly file: string;
  readonly blocks: readonly GeneratedBlock[];
}

const envRows = (fields: Record<string, unknown>, names = Object.keys(fields)): TableRow[] =>
  names.map((name) => rowOf(name, fields[name] as never, "env"));

const portUrlNames = new Set(Object.keys(portUrlEnvFields));

/** Every orchestrator in the registry gets its table, so a new one is documented by its descriptor alone. */
function orchestratorTables(): string {
  return ORCHESTRATORS.map(
    (descriptor) =>
      `\`HUB_ORCHESTRATOR=${descriptor.kind}\` (the \`envSchema\` of \`src/orchestrator/${descriptor.kind}/descriptor.ts\`):\n\n` +
      markdownTable("variable", envRows(fieldsOf(descriptor.envSchema))),
  ).join("\n\n");
}

/**
 * The stack's keys: top-level ones, and one level into the groups (`network.*`, `hub.*`, ...).
 * `aws:region` is the AWS provider's own key, set in each Pulumi.<stack>.yaml, not in this project's schema.
 */
export function stackConfigRows(): TableRow[] {
  const region: TableRow = {
    name: "aws:region",
    defaultText: "`eu-west-1` in the stack files",
    meaning: "region",
  };
  const rows = Object.entries(stackConfigSchema.shape).flatMap(([key, field]) => {
    const group = objectSchemaIn(field);
    return group === undefined
      ? [rowOf(key, field, "json")]
      : Object.entries(group.shape).map(([name, inner]) => rowOf(`${key}.${name}`, inner as never, "json"));
  });
  return [region, ...rows];
}

/** Names of every Hub environment variable some schema accepts. */
export function hubEnvNames(): string[] {
  return [
    ...Object.keys(hubEnvFields),
    ...ORCHESTRATORS.flatMap((descriptor) => Object.keys(fieldsOf(descriptor.envSchema))),
  ];
}

export const GENERATED_DOCS: readonly GeneratedDoc[] = [
  {
    file: "docs/hub-environment.md",
    blocks: [
      {
        id: "hub-env-common",
        content: () =>
          markdownTable(
            "variable",
            envRows(
              hubEnvFields,
              Object.keys(hubEnvFields).filter((name) => !portUrlNames.has(name)),
            ),
          ),
      },
      { id: "hub-env-port-urls", content: () => markdownTable("variable", envRows(portUrlEnvFields)) },
      { id: "hub-env-orchestrators", content: orchestratorTables },
    ],
  },
  {
    file: "docs/configuration.md",
    blocks: [{ id: `${PROJECT}-config`, content: () => markdownTable("key", stackConfigRows()) }],
  },
];

/** The page as the generator would write it: its text with every generated block replaced. */
export function renderDoc(doc: GeneratedDoc, root: string): { current: string; generated: string } {
  const current = readFileSync(join(root, doc.file), "utf8");
  const generated = doc.blocks.reduce(
    (text, block) => replaceGenerated(text, block.id, block.content(), doc.file),
    current,
  );
  return { current, generated };
}
