import { describe, expect, it } from "vitest";
import { can, type Action } from "./permissions.ts";

const everyAction: Action[] = [
  "workspace.admin",
  "project.create",
  "project.view",
  "project.edit",
  "project.manageMembers",
  "project.import",
  "project.export",
  "project.viewQuality",
  "item.annotate",
  "item.review",
  "item.publish",
  "room.edit",
  "room.observe",
];

const allowed = (role: "lead" | "annotator" | "client" | null) =>
  everyAction.filter((action) => can({ isAdmin: false, role }, action));

describe("can", () => {
  it("lets admins do everything", () => {
    expect(everyAction.every((action) => can({ isAdmin: true, role: null }, action))).toBe(true);
  });

  it("lets outsiders do nothing", () => {
    expect(allowed(null)).toEqual([]);
  });

  it("keeps clients read-only", () => {
    expect(allowed("client")).toEqual([
      "project.view",
      "project.export",
      "project.viewQuality",
      "room.observe",
    ]);
  });

  it("lets annotators label and take part in rooms, but not publish or manage", () => {
    expect(allowed("annotator")).toEqual([
      "project.view",
      "item.annotate",
      "room.edit",
      "room.observe",
    ]);
  });

  it("lets leads do everything inside their project, and start projects, but not administer", () => {
    expect(allowed("lead")).toEqual(everyAction.filter((action) => action !== "workspace.admin"));
  });
});
