/** The configuration and environment tables in docs/ are what the schemas say (scripts/docs/env-docs.ts). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  GENERATED_DOCS,
  hubEnvNames,
  REGENERATE_COMMAND,
  renderDoc,
  stackConfigRows,
} from "../../scripts/docs/env-docs";
import { markdownTable, replaceGenerated, rowOf } from "../../scripts/docs/schema-tables";
import { stackConfigSchema } from "../../stacks/config";
import { REPO_ROOT } from "../harness/stack";

const read = (file: string) => readFileSync(join(REPO_ROOT, file), "utf8");
/** The first cells of the page's table rows: the names it documents. */
const documentedNames = (text: string) =>
  new Set([...text.matchAll(/^\| `([^`]+)` +\|/gm)].map((match) => match[1]!));

describe("generated docs tables", () => {
  it.each(GENERATED_DOCS.map((doc) => [doc.file, doc] as const))(
    "%s is what the generator writes",
    (file, doc) => {
      const { current, generated } = renderDoc(doc, REPO_ROOT);
      expect(
        current,
        `${file} is not what the schemas say: run \`${REGENERATE_COMMAND}\` and commit the result`,
      ).toBe(generated);
    },
  );

  it("documents every variable the Hub's schemas accept, each once", () => {
    const names = hubEnvNames();
    const page = documentedNames(read("docs/hub-environment.md"));
    expect(names.filter((name) => !page.has(name))).toEqual([]);
    // One variable read by the common schema and an orchestrator's would have two meanings.
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(
      expect.arrayContaining(["HUB_PUBLIC_URL", "HUB_LOCAL_ROOT", "HUB_K8S_WORKDIR", "AWS_REGION"]),
    );
  });

  it("documents every key the stack schema accepts, one level into each group", () => {
    const page = documentedNames(read("docs/configuration.md"));
    const keys = Object.entries(stackConfigSchema.shape).flatMap(([key, field]) => {
      const inner = field instanceof z.ZodDefault ? field.unwrap() : field;
      return inner instanceof z.ZodObject ? Object.keys(inner.shape).map((name) => `${key}.${name}`) : [key];
    });
    expect(keys.length).toBeGreaterThan(30);
    expect(keys.filter((key) => !page.has(key))).toEqual([]);
  });

  it("reads defaults from the schemas: a parsed default, (required), (none), or the default in words", () => {
    const rows = Object.fromEntries(stackConfigRows().map((row) => [row.name, row.defaultText]));
    expect(rows).toMatchObject({
      candidates: "(required)",
      "eks.workerMax": "`13`",
      "eks.publicAccessCidrs": '`["0.0.0.0/0"]`',
      "hub.prePullImages": "`[]`",
      "eks.adminRoleArn": "(none)",
      "hub.warmPools": "`eks-ec2`: none; `eks-fargate`, `ecs-fargate`: `[{ size: 10 }]`",
    });
  });
});

describe("schema-tables", () => {
  it("refuses a field without a meaning, naming it", () => {
    expect(() => rowOf("HUB_NEW", z.string().optional(), "env")).toThrow(
      "HUB_NEW has no .describe(): say what it means in its schema",
    );
  });

  it("refuses a default it cannot show as one value", () => {
    const field = z
      .string()
      .optional()
      .transform(() => ({ key: "a", value: "b" }))
      .describe("a label");
    expect(() => rowOf("HUB_LABEL", field, "env")).toThrow(/HUB_LABEL: its default is not one value/);
  });

  it("escapes pipes and pads columns", () => {
    const table = markdownTable("variable", [{ name: "A", defaultText: "`1`", meaning: "x | y" }]);
    expect(table.split("\n")).toEqual([
      "| variable | default | meaning |",
      "| -------- | ------- | ------- |",
      "| `A`      | `1`     | x \\| y  |",
    ]);
  });

  it("replaces only between its markers and says which are missing", () => {
    const page = "intro\n<!-- generated:t:start (note) -->\nold\n<!-- generated:t:end -->\noutro\n";
    expect(replaceGenerated(page, "t", "new", "page.md")).toBe(
      "intro\n<!-- generated:t:start (note) -->\nnew\n<!-- generated:t:end -->\noutro\n",
    );
    expect(() => replaceGenerated("no markers", "t", "new", "page.md")).toThrow(
      "page.md has no <!-- generated:t:start --> ... <!-- generated:t:end --> markers",
    );
  });
});
