import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findUserByEmail } from "../../server/services/users.ts";
import { postPageForm, signInCookie } from "../setup/page-session.ts";
import { insertRoomItem } from "../setup/room-item.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";

const PASSWORD = "correct horse battery staple";

let server: TestServer;
let adminCookie: string;
let leadCookie: string;
let projectId: number;

beforeAll(async () => {
  server = await startTestServer();
  await server.createUserWithToken({ email: "admin@pages.test", isAdmin: true, name: "Ada" });
  const room = await insertRoomItem(server, { "lead@pages.test": "lead" });
  projectId = room.projectId;
  // Every item of the project is about law: an annotator without `legal` is never given one.
  await server.context.db
    .updateTable("items")
    .set({ domain: "legal" })
    .where("project_id", "=", projectId)
    .execute();
  await server.createUserWithToken({ email: "counsel@pages.test", domains: ["legal"] });
  await server.createUserWithToken({ email: "coder@pages.test", domains: ["code"] });
  adminCookie = await signInCookie(server.url, "admin@pages.test", PASSWORD);
  leadCookie = await signInCookie(server.url, "lead@pages.test", PASSWORD);
});

afterAll(() => server?.stop());

/** Posts a form as a browser without scripts would; repeated keys stay repeated. */
async function postForm(path: string, cookie: string, fields: Array<[string, string]>) {
  const response = await postPageForm(server.url, cookie, path, fields);
  return {
    status: response.status,
    location: response.headers.get("location"),
    cacheControl: response.headers.get("cache-control"),
    html: await response.text(),
  };
}

async function getPage(path: string, cookie: string) {
  const response = await fetch(`${server.url}${path}`, {
    headers: { Cookie: cookie },
    redirect: "manual",
  });
  return { status: response.status, html: await response.text() };
}

/** The invite link a page shows in its read-only field. */
function shownLink(html: string): string | null {
  return /value="(http:\/\/[^"]+\/invite\/[A-Za-z0-9_-]{43})"/.exec(html)?.[1] ?? null;
}

/** The page's markup with React's text separators and entities undone, to search for text. */
const textOf = (html: string) =>
  html
    .replace(/<!-- -->/g, "")
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");

describe("a project's members page", () => {
  const membersPath = () => `/projects/${projectId}/members`;

  it("offers to invite an email without an account instead of saying there is no such user", async () => {
    const offered = await postForm(membersPath(), leadCookie, [
      ["intent", "add"],
      ["email", "Newbie@Pages.test"],
      ["role", "annotator"],
    ]);
    expect(offered.status).toBe(200);
    expect(offered.html).not.toContain("no user");
    expect(textOf(offered.html)).toContain("Invite newbie@pages.test?");
    expect(offered.html).toMatch(/name="intent" value="invite"/);
    const roleChoices = /id="invite-role"[^>]*>(.*?)<\/select>/s.exec(offered.html)?.[1];
    expect(roleChoices).toContain('value="client"');
    expect(roleChoices, "leads may not invite new leads").not.toContain('value="lead"');
    expect(await findUserByEmail(server.context.db, "newbie@pages.test")).toBeUndefined();
  });

  it("invites, adds the member, shows the link once and warns about unmatched domains", async () => {
    const invited = await postForm(membersPath(), leadCookie, [
      ["intent", "invite"],
      ["email", "newbie@pages.test"],
      ["name", "Nora Newbie"],
      ["role", "annotator"],
      ["level", "expert"],
      ["domains", "medical"],
      ["domains", "language:de, medical"],
    ]);
    expect(invited.status, invited.html.slice(0, 400)).toBe(200);
    expect(invited.cacheControl).toBe("no-store");
    const link = shownLink(invited.html);
    expect(link).not.toBeNull();
    expect(textOf(invited.html)).toContain("Invited Nora Newbie as annotator.");
    expect(textOf(invited.html)).toContain(
      "Nora Newbie's domains (medical, language:de) match none of this project's items (legal)",
    );
    const user = await findUserByEmail(server.context.db, "newbie@pages.test");
    expect(user).toMatchObject({
      name: "Nora Newbie",
      level: "expert",
      domains: ["medical", "language:de"],
      password_hash: null,
    });
    const membership = await server.context.db
      .selectFrom("project_members")
      .select("role")
      .where("project_id", "=", projectId)
      .where("user_id", "=", user!.id)
      .executeTakeFirst();
    expect(membership?.role).toBe("annotator");
    expect((await getPage(new URL(link!).pathname, "")).status).toBe(200);
    const reloaded = await getPage(membersPath(), leadCookie);
    expect(shownLink(reloaded.html), "the link is not shown again").toBeNull();
  });

  it("warns when an existing annotator can never be given the project's items, and only then", async () => {
    const coder = await postForm(membersPath(), leadCookie, [
      ["intent", "add"],
      ["email", "coder@pages.test"],
      ["role", "annotator"],
    ]);
    expect(textOf(coder.html)).toContain("match none of this project's items (legal)");
    const counsel = await postForm(membersPath(), leadCookie, [
      ["intent", "add"],
      ["email", "counsel@pages.test"],
      ["role", "annotator"],
    ]);
    expect(counsel.status).toBe(200);
    expect(textOf(counsel.html)).toContain("added as annotator");
    expect(counsel.html).not.toContain("match none of this project");
  });

  it("refuses a lead's invite of a new lead, and bad domains, on the form", async () => {
    const lead = await postForm(membersPath(), leadCookie, [
      ["intent", "invite"],
      ["email", "boss@pages.test"],
      ["name", "Would-be Boss"],
      ["role", "lead"],
    ]);
    expect(lead.status).toBe(403);
    expect(textOf(lead.html)).toContain("Only workspace admins invite new leads");
    const domains = await postForm(membersPath(), leadCookie, [
      ["intent", "invite"],
      ["email", "astro@pages.test"],
      ["name", "Astro"],
      ["role", "annotator"],
      ["domains", "astrology"],
    ]);
    expect(domains.status).toBe(422);
    expect(textOf(domains.html)).toContain("is not a domain");
    expect(textOf(domains.html), "the invite form stays open").toContain(
      "Invite astro@pages.test?",
    );
    for (const email of ["boss@pages.test", "astro@pages.test"]) {
      expect(await findUserByEmail(server.context.db, email)).toBeUndefined();
    }
  });
});

describe("the admin's users page", () => {
  it("is for admins only, and linked from their header", async () => {
    expect((await getPage("/admin/users", leadCookie)).status).toBe(403);
    expect((await getPage("/projects", leadCookie)).html).not.toContain('href="/admin/users"');
    const page = await getPage("/admin/users", adminCookie);
    expect(page.status).toBe(200);
    expect(page.html).toContain('href="/admin/users"');
    expect(page.html).toContain("lead@pages.test");
    const searched = await getPage("/admin/users?q=COUNSEL", adminCookie);
    expect(searched.html).toContain("counsel@pages.test");
    expect(searched.html).not.toContain("coder@pages.test");
  });

  it("invites, edits and disables without scripts", async () => {
    const invited = await postForm("/admin/users", adminCookie, [
      ["intent", "invite"],
      ["email", "scripted@pages.test"],
      ["name", "Sam Scriptless"],
      ["level", "junior"],
      ["domains", "code, science"],
      ["hourlyRate", "42.5"],
    ]);
    expect(invited.status, invited.html.slice(0, 400)).toBe(200);
    expect(invited.cacheControl).toBe("no-store");
    expect(shownLink(invited.html)).not.toBeNull();
    expect(textOf(invited.html)).toContain("copy the link");
    const user = (await findUserByEmail(server.context.db, "scripted@pages.test"))!;
    expect(user).toMatchObject({ level: "junior", domains: ["code", "science"] });
    expect(user.hourly_rate_cents).toBe(4250);

    const edited = await postForm("/admin/users", adminCookie, [
      ["intent", "update"],
      ["userId", String(user.id)],
      ["name", "Sam Edited"],
      ["level", "expert"],
      ["domains", "science"],
      ["hourlyRate", ""],
      ["adminControl", "shown"],
      ["q", "sam"],
    ]);
    expect(edited.status).toBe(302);
    expect(edited.location).toBe(`/admin/users?updated=${user.id}&q=sam`);
    const after = (await findUserByEmail(server.context.db, "scripted@pages.test"))!;
    expect(after).toMatchObject({
      name: "Sam Edited",
      level: "expert",
      domains: ["science"],
      hourly_rate_cents: null,
      is_admin: false,
    });
    const badRate = await postForm("/admin/users", adminCookie, [
      ["intent", "update"],
      ["userId", String(user.id)],
      ["name", "Sam"],
      ["hourlyRate", "-3"],
    ]);
    expect(badRate.status).toBe(422);
    expect(textOf(badRate.html)).toContain("Enter a rate per hour");

    const disabled = await postForm("/admin/users", adminCookie, [
      ["intent", "disable"],
      ["userId", String(user.id)],
    ]);
    expect(disabled.status).toBe(200);
    expect(textOf(disabled.html)).toContain("Disabled Sam Edited");
    expect((await findUserByEmail(server.context.db, "scripted@pages.test"))!.disabled_at).not.toBe(
      null,
    );
  });

  it("refuses every change from anyone but an admin", async () => {
    const user = (await findUserByEmail(server.context.db, "counsel@pages.test"))!;
    const refused = await postForm("/admin/users", leadCookie, [
      ["intent", "disable"],
      ["userId", String(user.id)],
    ]);
    expect(refused.status).toBe(403);
    expect((await findUserByEmail(server.context.db, "counsel@pages.test"))!.disabled_at).toBe(
      null,
    );
  });
});
