/** Imports between component areas go one way: kubernetes and network are leaves, eks builds on kubernetes. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./harness/stack";

/** Which other areas (folders of components/) each area may import from. */
const ALLOWED: Record<string, string[]> = {
  kubernetes: [],
  network: [],
  shared: [],
  eks: ["kubernetes", "shared"],
  ecs: ["shared"],
};

const HUB_FILES_ECS_MAY_IMPORT = [
  "../../hub-app/src/orchestrator/ecs/fargate-sizes",
  "../../hub-app/src/orchestrator/metadata-keys",
];

function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/^(?:import|export)[^;]*?from\s+"([^"]+)"/gms)].map((m) => m[1]!);
}

describe("components/ layering", () => {
  const components = join(REPO_ROOT, "components");
  const areas = readdirSync(components);

  it("names every area", () => {
    expect(areas.sort()).toEqual(Object.keys(ALLOWED).sort());
  });

  it.each(Object.entries(ALLOWED))("%s imports only from itself and %j", (area, allowed) => {
    const wrong = readdirSync(join(components, area)).flatMap((file) =>
      importsOf(join(components, area, file))
        .filter((source) => source.startsWith("."))
        .filter((source) => {
          const target = /^\.\.\/([^/]+)\//.exec(source)?.[1];
          if (source.startsWith("./")) return false;
          // The Hub's own import-free files: the Fargate size table (components/ecs/fargate-task.ts says
          // why) and the metadata keys its sandboxes carry, which the ECS task role's conditions name.
          if (HUB_FILES_ECS_MAY_IMPORT.includes(source)) return area !== "ecs";
          return target === undefined || !allowed.includes(target);
        })
        .map((source) => `${file} -> ${source}`),
    );
    expect(wrong).toEqual([]);
  });
});
