import { describe, expect, it } from "vitest";
import { containerListJson } from "../../src/routes/container-list-json.js";
import { containerListSchema } from "../../src/schemas.js";

const container = {
  id: "cnt-abcdefgh1234",
  status: "running",
  placement: "local",
  image: "host",
  cpu: 2,
  memory: 512,
  ports: [8000],
  createdAt: "2026-01-01T00:00:00.000Z",
  readyAt: "2026-01-01T00:00:00.020Z",
  expiresAt: "2026-01-01T01:00:00.000Z",
  timings: { accepted: 1, ready: 20 },
};

describe("the JSON of GET /v1/containers", () => {
  it("is what the response schema would send: the documented fields, nothing an orchestrator added", () => {
    const items = [
      { ...container, hostUid: 1_500_000_001, initPid: 42, message: undefined },
      { ...container, id: "cnt-abcdefgh5678", status: "failed", message: "gone" },
    ];
    const sent = JSON.parse(containerListJson({ items })) as unknown;
    expect(sent).toEqual(containerListSchema.parse({ items }));
    expect(JSON.stringify(sent)).not.toMatch(/hostUid|initPid/);
  });

  it("sends each item as it is now: an item replaced (a new expiry) is read again, the same item is not", () => {
    const first = JSON.parse(containerListJson({ items: [container] })) as { items: object[] };
    expect(JSON.parse(containerListJson({ items: [container] }))).toEqual(first);
    const extended = { ...container, expiresAt: "2026-01-01T02:00:00.000Z" };
    const sent = JSON.parse(containerListJson({ items: [extended, container] })) as {
      items: { expiresAt: string }[];
    };
    expect(sent.items.map((item) => item.expiresAt)).toEqual([
      "2026-01-01T02:00:00.000Z",
      "2026-01-01T01:00:00.000Z",
    ]);
  });
});
