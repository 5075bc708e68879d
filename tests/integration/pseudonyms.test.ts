import fc from "fast-check";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addComment,
  commentsToJson,
  itemRoomName,
  readMeta,
  votesToJson,
} from "../../app/domain/room.ts";
import { byName, pseudonym, pseudonymsFor } from "../../server/services/items.ts";
import { apiClient, type ApiClient } from "../setup/api-client.ts";
import { participantKeyFor } from "../setup/room-item.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { closeSyncClientsAfterEach, connectSyncClient, waitFor } from "../setup/sync-client.ts";

let server: TestServer;
const clients = closeSyncClientsAfterEach();

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

interface Person {
  id: number;
  email: string;
  name: string;
  token: string;
  api: ApiClient;
}

let people = 0;

async function person(name: string, extra: Record<string, unknown> = {}): Promise<Person> {
  people += 1;
  const email = `person${people}@example.test`;
  const { userId, token } = await server.createUserWithToken({ email, name, ...extra });
  return { id: userId, email, name, token, api: apiClient(server.url, token) };
}

const template = {
  fields: [
    { id: "preference", type: "preference", label: "Preference", scale: 2, required: true },
    { id: "critique", type: "text", label: "Critique" },
  ],
};

const twoResponses = [
  { id: "a", text: "Take it as usual." },
  { id: "b", text: "Check the INR within 3 days." },
];

interface Team {
  projectId: number;
  itemId: number;
  admin: Person;
  lead: Person;
  client: Person;
  /** Labelled the item (in disagreement) and sit on its panel. */
  annotators: Person[];
  /** An annotator of the project the lead added to the panel. */
  invited: Person;
}

/**
 * A project whose one item the annotators labelled in disagreement, with an invited panel
 * member, a comment of each annotator in the room, and an approval: every place a room or the
 * API could name a panel member.
 */
async function disputedTeam(names: string[], levels: Array<"junior" | "expert">): Promise<Team> {
  const admin = await person("Admin", { isAdmin: true });
  const lead = await person("Lead");
  const client = await person("Client");
  const annotators: Person[] = [];
  for (const [index, name] of names.entries()) {
    annotators.push(await person(name, { level: levels[index], domains: ["medical"] }));
  }
  const invited = annotators.pop()!;
  const created = await admin.api.post<{ project: { id: number } }>("/projects", {
    name: `Pseudonyms ${people}`,
    template,
    overlap: annotators.length,
    settings: { publishRule: { kind: "quorum", approvals: 1 }, goldRate: 0 },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const projectId = created.body.project.id;
  for (const [member, role] of [
    [lead, "lead"],
    ...annotators.map((annotator) => [annotator, "annotator"] as const),
    [invited, "annotator"],
    [client, "client"],
  ] as const) {
    const added = await admin.api.post(`/projects/${projectId}/members`, {
      email: member.email,
      role,
    });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
  }
  await lead.api.post(`/projects/${projectId}/items`, [
    {
      externalId: "q-1",
      prompt: "Warfarin with an antibiotic?",
      responses: twoResponses,
    },
  ]);
  let itemId = 0;
  for (const [index, annotator] of annotators.entries()) {
    const next = await annotator.api.get<{ assignment: { itemId: number } }>(
      `/queue/next?project=${projectId}`,
    );
    itemId = next.body.assignment.itemId;
    const preference = index % 2 === 0 ? -2 : 2;
    const submitted = await annotator.api.post(`/items/${itemId}/annotations`, {
      label: { preference, critique: "I think so." },
    });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
  }
  const panel = await lead.api.post(`/items/${itemId}/panel`, { email: invited.email });
  expect(panel.status, JSON.stringify(panel.body)).toBe(201);
  for (const annotator of [...annotators, invited]) {
    const key = await participantKeyFor(server, itemId, annotator.id);
    const room = clients.track(
      connectSyncClient(server.url, itemRoomName(itemId), {
        token: annotator.token,
        persisted: true,
      }),
    );
    await room.synced;
    addComment(room.doc, { author: key, text: "I stand by my label." });
    await waitFor(() => room.saved(), "the comment to be stored");
    room.destroy();
  }
  const approved = await annotators[0].api.post(`/items/${itemId}/approve`);
  expect(approved.status, JSON.stringify(approved.body)).toBe(201);
  return { projectId, itemId, admin, lead, client, annotators, invited };
}

/** Every value of the room a viewer receives that names a person. */
async function namesInRoom(viewer: Person, itemId: number): Promise<string[]> {
  const room = clients.track(
    connectSyncClient(server.url, itemRoomName(itemId), { token: viewer.token }),
  );
  await room.synced;
  await waitFor(() => readMeta(room.doc).version !== null, "the room to arrive");
  const meta = readMeta(room.doc);
  return [
    ...Object.keys(votesToJson(room.doc)),
    ...commentsToJson(room.doc).map((comment) => comment.author),
    ...meta.approvals,
    ...Object.keys(meta.approvedLabels),
  ];
}

/** What a viewer can read through the API about the item's panel and the project's people. */
async function apiViews(viewer: Person, team: Team) {
  const { projectId, itemId } = team;
  const paths = [
    `/items/${itemId}/adjudication`,
    `/projects/${projectId}/members`,
    `/items/${itemId}`,
    ...(viewer === team.client
      ? [
          `/projects/${projectId}/progress`,
          `/projects/${projectId}/quality`,
          `/projects/${projectId}/export?format=jsonl`,
        ]
      : []),
  ];
  const views: Record<string, string> = {};
  for (const path of paths) {
    const response = await fetch(`${server.url}/api/v1${path}`, {
      headers: { Authorization: `Bearer ${viewer.token}` },
    });
    expect(response.status, path).toBe(200);
    views[path] = await response.text();
  }
  return views;
}

/**
 * How many panel members other than the viewer the viewer can name: the panel's member ids and
 * names matched against the people of the member list (rows with a user id and a real name).
 */
async function identifiablePanelMembers(viewer: Person, team: Team): Promise<number> {
  const adjudication = await viewer.api.get<{
    adjudication: { panel: Array<{ memberId: string; name: string; own: boolean }> };
  }>(`/items/${team.itemId}/adjudication`);
  const members = await viewer.api.get<{
    members: Array<{ userId: number | null; name: string; role: string }>;
  }>(`/projects/${team.projectId}/members`);
  const annotators = members.body.members.filter((member) => member.role === "annotator");
  return adjudication.body.adjudication.panel.filter(
    (member) =>
      !member.own &&
      annotators.some(
        (annotator) =>
          annotator.userId !== null &&
          (String(annotator.userId) === member.memberId || annotator.name === member.name),
      ),
  ).length;
}

/**
 * The ids a response gives for people: `id` and `userId` of every object with a `name` (a
 * person as the API shows one) and every `memberId`, in a JSON body or NDJSON lines.
 */
function personIds(body: string): string[] {
  const ids: string[] = [];
  const walk = (value: unknown) => {
    if (Array.isArray(value)) {
      value.forEach(walk);
    } else if (value !== null && typeof value === "object") {
      const record = value as Record<string, unknown>;
      if ("name" in record) {
        for (const key of ["id", "userId"]) {
          if (record[key] !== null && record[key] !== undefined) ids.push(String(record[key]));
        }
      }
      if (record.memberId !== undefined) ids.push(String(record.memberId));
      Object.values(record).forEach(walk);
    }
  };
  for (const line of body.split("\n")) if (line.trim() !== "") walk(JSON.parse(line));
  return ids;
}

/** A project of the admin's with one item, and nobody else in it yet. */
async function projectOfOneItem(
  admin: Person,
  name: string,
): Promise<{ projectId: number; itemId: number }> {
  const created = await admin.api.post<{ project: { id: number } }>("/projects", {
    name: `${name} ${people}-${Math.random()}`,
    template,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const projectId = created.body.project.id;
  const items = await admin.api.post(`/projects/${projectId}/items`, [
    { externalId: "q-1", prompt: "Dose?", responses: twoResponses },
  ]);
  expect(items.status, JSON.stringify(items.body)).toBe(201);
  const { id: itemId } = await server.context.db
    .selectFrom("items")
    .select("id")
    .where("project_id", "=", projectId)
    .executeTakeFirstOrThrow();
  return { projectId, itemId };
}

describe("pseudonyms", () => {
  it("leave clients and annotators no way to tell who is behind a panel member", async () => {
    await fc.assert(
      fc.asyncProperty(
        // Names nothing else in a response could contain, none inside another ("zqcaller" is in
        // "zqcallerl"), so that finding one in a response means that person is named there.
        fc
          .uniqueArray(fc.stringMatching(/^zq[a-z]{6,8}$/), { minLength: 3, maxLength: 5 })
          .filter((names) =>
            names.every((name, index) =>
              names.every((other, position) => position === index || !other.includes(name)),
            ),
          ),
        fc.array(fc.constantFrom("junior" as const, "expert" as const), {
          minLength: 5,
          maxLength: 5,
        }),
        async (names, levels) => {
          const team = await disputedTeam(names, levels);
          const others = [...team.annotators, team.invited];
          for (const viewer of [team.client, team.annotators[0]]) {
            const hidden = others.filter((other) => other !== viewer);
            expect(await identifiablePanelMembers(viewer, team)).toBe(0);
            const views = await apiViews(viewer, team);
            for (const [path, body] of Object.entries(views)) {
              const ids = personIds(body);
              for (const other of hidden) {
                expect(body, path).not.toContain(other.name);
                expect(body, path).not.toContain(other.email);
                expect(ids, path).not.toContain(String(other.id));
              }
              expect(body, path).not.toMatch(/Expert [A-Z]/);
            }
            const roomNames = await namesInRoom(viewer, team.itemId);
            expect(roomNames.length).toBeGreaterThan(others.length);
            for (const name of roomNames) {
              expect(name).toMatch(/^[0-9a-f]{32}$/);
              expect(others.some((other) => name === String(other.id))).toBe(false);
            }
          }
          // The lead sees who is who: by name, through the same participant keys.
          expect(await identifiablePanelMembers(team.lead, team)).toBe(others.length);
        },
      ),
      { numRuns: 3, endOnFailure: true },
    );
  });

  it("are level-neutral and name the member list's annotators alone", async () => {
    const team = await disputedTeam(
      ["abigail", "bernard", "cosima", "dorian"],
      ["junior", "expert", "junior", "expert"],
    );
    const members = await team.client.api.get<{
      members: Array<Record<string, unknown>>;
    }>(`/projects/${team.projectId}/members`);
    const annotators = members.body.members.filter((member) => member.role === "annotator");
    expect(annotators).toEqual(
      ["Annotator A", "Annotator B", "Annotator C", "Annotator D"].map((name) => ({
        userId: null,
        email: null,
        name,
        role: "annotator",
        level: null,
        domains: [],
      })),
    );
    const asLead = await team.lead.api.get<{ members: Array<{ name: string }> }>(
      `/projects/${team.projectId}/members`,
    );
    expect(asLead.body.members.map((member) => member.name)).toContain("abigail");
    const adjudication = await team.annotators[1].api.get<{
      adjudication: { panel: Array<{ name: string; own: boolean }> };
    }>(`/items/${team.itemId}/adjudication`);
    expect(
      adjudication.body.adjudication.panel.filter((member) => !member.own).map((m) => m.name),
    ).toEqual(["Annotator A", "Annotator C", "Annotator D"]);
  });

  it("stay on an annotator's past work when they become a lead or a client", async () => {
    const team = await disputedTeam(
      ["zqpromoted", "zqclientele", "zqstays", "zqinvited"],
      ["expert", "junior", "expert", "junior"],
    );
    const [promoted, madeClient] = team.annotators as [Person, Person];
    const lettersIn = (views: Record<string, string>) =>
      Object.fromEntries(
        Object.entries(views).map(([path, body]) => [
          path,
          [...new Set(body.match(/Annotator [A-Z]+/g) ?? [])].sort(),
        ]),
      );
    const before = await apiViews(team.client, team);
    for (const [person, role] of [
      [promoted, "lead"],
      [madeClient, "client"],
    ] as const) {
      const changed = await team.admin.api.post(`/projects/${team.projectId}/members`, {
        email: person.email,
        role,
      });
      expect(changed.status, JSON.stringify(changed.body)).toBeLessThan(300);
    }
    const after = await apiViews(team.client, team);
    for (const path of Object.keys(before)) {
      if (path.endsWith("/members")) continue;
      // Their labels keep the letters they had, and nothing of theirs is named. (A client
      // leaves the item's panel, which then lists the others alone.)
      const letters = lettersIn(after)[path];
      if (path.endsWith("/adjudication")) {
        expect(lettersIn(before)[path], path).toEqual(expect.arrayContaining(letters));
      } else {
        expect(letters, path).toEqual(lettersIn(before)[path]);
      }
      expect(after[path], path).not.toContain(promoted.name);
      expect(after[path], path).not.toContain(madeClient.name);
    }
  });

  it("keep their letter for good, whoever joins, leaves, labels or changes role", async () => {
    const admin = await person("Admin", { isAdmin: true });
    const watcher = await person("Watcher");
    const pool = await Promise.all(["p0", "p1", "p2", "p3", "p4"].map((name) => person(name)));
    type Role = "annotator" | "lead" | "client";
    const step = fc.oneof(
      fc.record({
        kind: fc.constant("join" as const),
        who: fc.nat(pool.length - 1),
        role: fc.constantFrom<Role>("annotator", "lead", "client"),
      }),
      fc.record({ kind: fc.constant("leave" as const), who: fc.nat(pool.length - 1) }),
      // A label stored for someone, member or not (an admin labels without joining).
      fc.record({ kind: fc.constant("label" as const), who: fc.nat(pool.length - 1) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 10 }), async (steps) => {
        const { projectId, itemId } = await projectOfOneItem(admin, "Letters");
        const watching = await admin.api.post(`/projects/${projectId}/members`, {
          email: watcher.email,
          role: "client",
        });
        expect(watching.status).toBe(201);

        // The model: who holds which role, and the order in which people first took part other
        // than as a lead or client, or had a label stored whatever their role, which is the
        // order of their letters. Everyone with a letter is shown under it, whatever their role.
        const roles = new Map<number, Role>();
        const lettered: number[] = [];
        const letter = (userId: number) => {
          if (!lettered.includes(userId)) lettered.push(userId);
        };
        const seen = new Map<number, string>();
        for (const { kind, who, ...rest } of steps) {
          const { id, email } = pool[who];
          if (kind === "join") {
            const { role } = rest as { role: Role };
            const added = await admin.api.post(`/projects/${projectId}/members`, { email, role });
            expect(added.status, JSON.stringify(added.body)).toBeLessThan(300);
            roles.set(id, role);
            if (role === "annotator") letter(id);
          } else if (kind === "leave") {
            const removed = await admin.api.delete(`/projects/${projectId}/members/${id}`);
            expect(removed.status).toBe(roles.has(id) ? 204 : 404);
            if (roles.delete(id)) letter(id);
          } else {
            await server.context.db
              .insertInto("annotations")
              .values({ item_id: itemId, user_id: id, label: JSON.stringify({ preference: 1 }) })
              .onConflict((conflict) => conflict.columns(["item_id", "user_id"]).doNothing())
              .execute();
            letter(id);
          }

          const pseudonyms = await pseudonymsFor(server.context.db, projectId);
          const expected = new Map(
            lettered.map((userId, position) => [userId, pseudonym(position)] as const),
          );
          expect(pseudonyms).toEqual(expected);
          for (const [userId, name] of pseudonyms) {
            expect(seen.get(userId) ?? name).toBe(name);
            seen.set(userId, name);
          }
          // A client is shown the current annotators under the same letters.
          const shown = await watcher.api.get<{ members: Array<{ name: string; role: string }> }>(
            `/projects/${projectId}/members`,
          );
          expect(
            shown.body.members
              .filter((member) => member.role === "annotator")
              .map((member) => member.name),
          ).toEqual(
            [...roles]
              .filter(([, role]) => role === "annotator")
              .map(([userId]) => expected.get(userId) ?? "no letter")
              .sort(byName),
          );
        }
      }),
      { numRuns: 25, endOnFailure: true },
    );
  });

  it("are given one at a time when many people join and label at once", async () => {
    const admin = await person("Admin", { isAdmin: true });
    const joining = await Promise.all(Array.from({ length: 8 }, (_, i) => person(`j${i}`)));
    const labelling = await Promise.all(Array.from({ length: 8 }, (_, i) => person(`l${i}`)));
    const { projectId, itemId } = await projectOfOneItem(admin, "Crowd");

    const [joins, labels] = await Promise.all([
      Promise.allSettled(
        joining.map((member) =>
          admin.api.post(`/projects/${projectId}/members`, {
            email: member.email,
            role: "annotator",
          }),
        ),
      ),
      Promise.allSettled(
        labelling.map((labeller) =>
          server.context.db
            .insertInto("annotations")
            .values({ item_id: itemId, user_id: labeller.id, label: "{}" })
            .execute(),
        ),
      ),
    ]);
    expect(labels.filter((result) => result.status === "rejected")).toEqual([]);
    expect(joins.map((result) => result.status === "fulfilled" && result.value.status)).toEqual(
      joining.map(() => 201),
    );

    const pseudonyms = await pseudonymsFor(server.context.db, projectId);
    expect(new Set([...pseudonyms.keys()])).toEqual(
      new Set([...joining, ...labelling].map((someone) => someone.id)),
    );
    expect([...pseudonyms.values()].sort(byName)).toEqual(
      Array.from({ length: 16 }, (_, position) => pseudonym(position)),
    );
  });

  it.runIf(Boolean(process.env.DATABASE_URL))(
    "never make two transactions that each hold what the other waits for deadlock",
    async () => {
      const admin = await person("Admin", { isAdmin: true });
      const [early, late] = [await person("early"), await person("late")];
      const { projectId, itemId } = await projectOfOneItem(admin, "Deadlock");
      const { db } = server.context;
      // Two transactions, each giving someone their first label in the project: the first
      // labels, then waits for the item's row, which the second holds while it labels too.
      let firstLabelled!: () => void;
      const firstHasLabelled = new Promise<void>((resolve) => (firstLabelled = resolve));
      let secondLocked!: () => void;
      const secondHoldsTheItem = new Promise<void>((resolve) => (secondLocked = resolve));
      const first = db.transaction().execute(async (trx) => {
        await secondHoldsTheItem;
        await trx
          .insertInto("annotations")
          .values({ item_id: itemId, user_id: early.id, label: "{}" })
          .execute();
        firstLabelled();
        await sql`update items set updated_at = now() where id = ${itemId}`.execute(trx);
      });
      const second = db.transaction().execute(async (trx) => {
        await sql`update items set updated_at = now() where id = ${itemId}`.execute(trx);
        secondLocked();
        await firstHasLabelled;
        await trx
          .insertInto("annotations")
          .values({ item_id: itemId, user_id: late.id, label: "{}" })
          .execute();
      });
      const settled = await Promise.allSettled([first, second]);
      expect(settled.filter((result) => result.status === "rejected")).toEqual([]);
      const pseudonyms = await pseudonymsFor(db, projectId);
      expect(new Set(pseudonyms.values())).toEqual(new Set([pseudonym(0), pseudonym(1)]));
    },
  );
});
