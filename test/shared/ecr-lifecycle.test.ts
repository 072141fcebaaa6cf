import { describe, expect, it } from "vitest";
import { keepLastImagesPolicy } from "../../components/shared/ecr-lifecycle";

describe("keepLastImagesPolicy", () => {
  it("expires every image beyond the newest N, whatever its tag", () => {
    const policy = JSON.parse(keepLastImagesPolicy(10));
    expect(policy.rules).toEqual([
      {
        rulePriority: 1,
        description: "Keep the last 10 Hub images",
        selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 10 },
        action: { type: "expire" },
      },
    ]);
  });

  it.each([0, -1, 2.5, Number.NaN])("refuses %s images to keep", (keep) => {
    expect(() => keepLastImagesPolicy(keep)).toThrow(/keepImages must be a whole number of at least 1/);
  });
});
