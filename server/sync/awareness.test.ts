import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { User } from "../../db/schema.ts";
import {
  participantIdentity,
  PresenceAllowance,
  presentState,
  stampIdentity,
  type PresenceDropReason,
  type PresenceLimits,
  type UncheckedPresence,
} from "./awareness.ts";

const limits: PresenceLimits = {
  updatesPerSecond: 20,
  bytesPerSecond: 1_000,
  maxStateBytes: 400,
  maxClientIds: 2,
};

const change = (clientId: number, bytes: number): UncheckedPresence => ({
  clientId,
  stateJson: new Uint8Array(bytes),
  removes: false,
});

function allowance(now: () => number = () => 0) {
  const firstDrops: PresenceDropReason[] = [];
  return {
    presence: new PresenceAllowance(limits, (reason) => firstDrops.push(reason), now),
    firstDrops,
  };
}

describe("PresenceAllowance", () => {
  it("drops a state over the size limit unread, and counts it", () => {
    const { presence, firstDrops } = allowance();
    expect(presence.admit([change(1, 401), change(2, 400)])).toEqual([change(2, 400)]);
    expect(presence.dropped.stateSize).toBe(1);
    expect(firstDrops).toEqual(["stateSize"]);
    expect([...presence.clientIds]).toEqual([2]);
  });

  it("takes at most maxClientIds client ids over the connection's life", () => {
    const { presence } = allowance();
    expect(presence.admit([change(1, 10), change(2, 10), change(3, 10)])).toHaveLength(2);
    expect(presence.admit([change(4, 10)])).toEqual([]);
    // The ids it already has stay usable, and leaving does not free a place for a new one.
    expect(presence.admit([change(1, 10)])).toHaveLength(1);
    expect(presence.admit([{ clientId: 2, stateJson: new Uint8Array(4), removes: true }])).toEqual([
      { clientId: 2, stateJson: new Uint8Array(4), removes: true },
    ]);
    expect(presence.admit([change(5, 10)])).toEqual([]);
    expect(presence.dropped.clientIds).toBe(3);
  });

  it("ignores a removal for a client id the connection never announced", () => {
    const { presence } = allowance();
    expect(presence.admit([{ clientId: 9, stateJson: new Uint8Array(4), removes: true }])).toEqual(
      [],
    );
    expect(presence.clientIds.size).toBe(0);
  });

  it("limits bytes a second, refilling with time", () => {
    let now = 0;
    const { presence } = allowance(() => now);
    expect(presence.admit([change(1, 400)])).toHaveLength(1);
    expect(presence.admit([change(1, 400)])).toHaveLength(1);
    expect(presence.admit([change(1, 400)])).toEqual([]);
    expect(presence.dropped.bytes).toBe(1);
    now += 500;
    expect(presence.admit([change(1, 400)])).toHaveLength(1);
  });

  it("never admits more than the limits allow, and counts everything it drops", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            afterMs: fc.integer({ min: 0, max: 200 }),
            changes: fc.array(
              fc.record({
                clientId: fc.integer({ min: 1, max: 6 }),
                bytes: fc.integer({ min: 1, max: 600 }),
                removes: fc.boolean(),
              }),
              { minLength: 1, maxLength: 3 },
            ),
          }),
          { maxLength: 60 },
        ),
        (frames) => {
          let now = 0;
          const presence = new PresenceAllowance(
            limits,
            () => {},
            () => now,
          );
          let offered = 0;
          let admittedBytes = 0;
          let admitted = 0;
          for (const frame of frames) {
            now += frame.afterMs;
            const changes = frame.changes.map(({ clientId, bytes, removes }) => ({
              clientId,
              stateJson: new Uint8Array(bytes),
              removes,
            }));
            offered += changes.length;
            const taken = presence.admit(changes);
            admitted += taken.length;
            for (const taken1 of taken) {
              expect(taken1.stateJson.length).toBeLessThanOrEqual(limits.maxStateBytes);
              expect(presence.clientIds.has(taken1.clientId)).toBe(true);
              admittedBytes += taken1.stateJson.length;
            }
          }
          expect(presence.clientIds.size).toBeLessThanOrEqual(limits.maxClientIds);
          // One second's worth at the start (the bucket holds at least one largest state), then
          // the rate.
          const capacity = Math.max(limits.bytesPerSecond, limits.maxStateBytes);
          expect(admittedBytes).toBeLessThanOrEqual(
            capacity + (now / 1000) * limits.bytesPerSecond,
          );
          expect(admitted + presence.droppedTotal).toBe(offered);
        },
      ),
    );
  });
});

describe("presence behind a pseudonym", () => {
  const someone = (id: number) => ({ id, name: `Person ${id}` }) as User;

  it("carries nothing that depends on who is behind it: no id, no role, a colour of the letter's", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2_000_000 }),
        fc.integer({ min: 1, max: 2_000_000 }),
        fc.constantFrom("annotator" as const, "lead" as const, null),
        fc.stringMatching(/^Annotator [A-Z]{1,2}$/),
        (firstId, secondId, role, pseudonym) => {
          const [first, second] = [firstId, secondId].map((id) =>
            presentState(
              stampIdentity({ field: "f" }, participantIdentity(someone(id), role, pseudonym)),
              true,
            ),
          );
          expect(first).toEqual(second);
          expect(first).toMatchObject({ user: { id: null, name: pseudonym, role: null } });
        },
      ),
    );
  });

  it("names people to those who see names, with their own colour", () => {
    const identity = participantIdentity(someone(7), "lead", "Annotator C");
    expect(presentState(stampIdentity({}, identity), false)).toEqual({
      user: { id: 7, name: "Person 7", role: "lead", colour: identity.colour },
    });
  });
});
