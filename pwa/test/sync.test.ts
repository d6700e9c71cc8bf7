/**
 * The sync scenarios the reference client passes (tests/syncing/test_basic.py, the exactly-once and
 * paging properties of test_properties.py and test_crash.py), run through the app's own data layer
 * against the real server: the two clients cannot drift apart unnoticed.
 */

import { beforeEach, describe, expect, test } from "vitest";

import { activity, control, newGuide, newPhone, serverCheck, snapshot } from "./device";
import { network } from "./network";

beforeEach(() => network.reset());

describe("create, edit, delete", () => {
  test("a record saved offline is pushed, gets its server version and comes back with the server's fields", async () => {
    const guide = await newGuide({ org_name: "VHS Hannover" });
    const phone = await newPhone(guide);
    network.setOnline(false);
    const id = await phone.save("activity", undefined, activity());
    expect(await phone.sync()).toBe("offline");
    network.setOnline(true);
    expect((await phone.pending()).map((r) => r.mutation.base_version)).toEqual([null]);
    expect(await phone.sync()).toBe("idle");
    expect(await phone.pending()).toEqual([]);
    const record = await phone.record("activity", id);
    expect(record?.version).toBe(1);
    expect(record?.data).toMatchObject({ minutes: 90, state: "logged" });
    expect((await phone.live("organization")).map((r) => r.data.name)).toEqual(["VHS Hannover"]);
    expect(await phone.getMeta("cursor")).toBeTruthy();
    expect(await snapshot(phone)).toEqual((await serverCheck(guide)).scope);
  });

  test("a second phone of the same guide receives the record", async () => {
    const guide = await newGuide();
    const phone = await newPhone(guide);
    const tablet = await newPhone();
    await tablet.enrolAs(guide);
    const id = await phone.save("activity", undefined, activity());
    await phone.sync();
    await tablet.sync();
    expect((await tablet.data("activity", id))?.note).toBe("Jobcenter");
  });

  test("an edit sends only the changed field with the version it started from", async () => {
    const guide = await newGuide();
    const phone = await newPhone(guide);
    const id = await phone.save("activity", undefined, activity());
    await phone.sync();
    await phone.save("activity", id, { ...activity(), minutes: 120 });
    const [row] = await phone.pending();
    expect(row.mutation).toMatchObject({ op: "upsert", base_version: 1, fields: { minutes: 120 } });
    expect(await phone.sync()).toBe("idle");
    expect((await phone.record("activity", id))?.version).toBe(2);
  });

  test("edits of different fields on two phones merge", async () => {
    const guide = await newGuide();
    const phone = await newPhone(guide);
    const tablet = await newPhone();
    await tablet.enrolAs(guide);
    const id = await phone.save("activity", undefined, activity());
    await phone.sync();
    await tablet.sync();
    await phone.save("activity", id, { minutes: 120 });
    await tablet.save("activity", id, { note: "Ausländerbehörde" });
    await phone.sync();
    await tablet.sync();
    await phone.sync();
    for (const device of [phone, tablet]) {
      const data = await device.data("activity", id);
      expect([data?.minutes, data?.note]).toEqual([120, "Ausländerbehörde"]);
      expect(await device.live("conflict")).toEqual([]);
    }
  });

  test("the same field on two phones: the later arrival wins, the loser is kept as a conflict", async () => {
    const guide = await newGuide();
    const phone = await newPhone(guide);
    const tablet = await newPhone();
    await tablet.enrolAs(guide);
    const id = await phone.save("activity", undefined, activity());
    await phone.sync();
    await tablet.sync();
    await phone.save("activity", id, { minutes: 120 });
    await tablet.save("activity", id, { minutes: 45 });
    await phone.sync();
    await tablet.sync();
    await phone.sync();
    for (const device of [phone, tablet]) {
      expect((await device.data("activity", id))?.minutes).toBe(45);
      const conflicts = await device.live("conflict");
      expect(conflicts.map((c) => [c.data.field, c.data.kept_value, c.data.lost_value])).toEqual([["minutes", 45, 120]]);
    }
  });

  test("a coordinator's edit beats the guide's offline edit, and the guide sees the conflict", async () => {
    const guide = await newGuide();
    const phone = await newPhone(guide);
    const id = await phone.save("activity", undefined, activity());
    await phone.sync();
    await control("edit", { org_id: guide.org_id, type: "activity", record_id: id, fields: { minutes: 60 } });
    await phone.save("activity", id, { minutes: 75 }); // from the old version
    expect(await phone.sync()).toBe("idle");
    expect((await phone.data("activity", id))?.minutes).toBe(60);
    const [conflict] = await phone.live("conflict");
    expect([conflict.data.kept_value, conflict.data.lost_value, conflict.data.lost_by]).toEqual([60, 75, "guide"]);
    expect(await snapshot(phone)).toEqual((await serverCheck(guide)).scope);
  });

  test("a delete reaches the other phone as a tombstone", async () => {
    const guide = await newGuide();
    const phone = await newPhone(guide);
    const tablet = await newPhone();
    await tablet.enrolAs(guide);
    const id = await phone.save("activity", undefined, activity());
    await phone.sync();
    await tablet.sync();
    await phone.deleteRecord("activity", id);
    expect((await phone.pending()).map((r) => [r.mutation.op, r.mutation.base_version])).toEqual([["delete", 1]]);
    await phone.sync();
    await tablet.sync();
    expect(await tablet.record("activity", id)).toBeUndefined();
    expect(await phone.record("activity", id)).toBeUndefined();
  });

  test("a record deleted before it ever synced is never sent", async () => {
    const guide = await newGuide();
    const phone = await newPhone(guide);
    const id = await phone.save("activity", undefined, activity());
    await phone.deleteRecord("activity", id);
    expect(await phone.pending()).toEqual([]);
    await phone.sync();
    expect((await serverCheck(guide)).scope[`activity/${id}`]).toBeUndefined();
  });

  test("a pulled change does not overwrite a local edit still waiting to be pushed; the server merges both", async () => {
    const guide = await newGuide();
    const phone = await newPhone(guide);
    const id = await phone.save("activity", undefined, activity());
    await phone.sync();
    await control("edit", { org_id: guide.org_id, type: "activity", record_id: id, fields: { note: "Bürgeramt" } });
    // A full batch of new entries first, so the edit waits for the second push while the first
    // round trip already pulls the coordinator's change of the same record.
    for (let i = 0; i < 200; i++) await phone.save("activity", undefined, activity({ minutes: 1 + i }));
    await phone.save("activity", id, { minutes: 30 });
    network.then("ok", "drop_request");
    expect(await phone.sync()).toBe("error");
    expect(await phone.pending()).toHaveLength(1);
    const waiting = await phone.record("activity", id);
    expect([waiting?.version, waiting?.data.minutes, waiting?.data.note]).toEqual([1, 30, "Jobcenter"]);
    expect(await phone.sync()).toBe("idle");
    const data = await phone.data("activity", id);
    expect([data?.minutes, data?.note]).toEqual([30, "Bürgeramt"]);
  });
});

describe("refusals", () => {
  test("another guide's record cannot be changed: the refusal is kept on the record, the owner's data stays", async () => {
    const mine = await newGuide();
    const other = await newGuide({ org_id: mine.org_id });
    const phone = await newPhone(mine);
    const theirs = await newPhone(other);
    const id = await phone.save("activity", undefined, activity());
    await phone.sync();
    await theirs.sync();
    expect(await theirs.live("activity")).toEqual([]);
    await theirs.save("activity", id, { minutes: 5 });
    await theirs.sync();
    expect(await theirs.pending()).toEqual([]);
    expect((await theirs.record("activity", id))?.problem?.code).toBe("forbidden");
    await phone.sync();
    expect((await phone.data("activity", id))?.minutes).toBe(90);
  });

  test("an approved activity is locked: the edit is refused with the state, the approved copy arrives", async () => {
    const guide = await newGuide();
    const phone = await newPhone(guide);
    const id = await phone.save("activity", undefined, activity());
    await phone.sync();
    await control("approve", { org_id: guide.org_id, record_id: id });
    await phone.save("activity", id, { minutes: 10 });
    await phone.sync();
    const record = await phone.record("activity", id);
    expect([record?.problem?.code, record?.problem?.state]).toEqual(["locked", "approved"]);
    expect([record?.data.minutes, record?.data.state]).toEqual([90, "approved"]);
  });

  test("a refused create stays on the phone, marked with the server's reasons", async () => {
    const guide = await newGuide();
    const phone = await newPhone(guide);
    const id = await phone.save("activity", undefined, activity({ minutes: 0 }));
    await phone.sync();
    const record = await phone.record("activity", id);
    expect(record?.version).toBe(0);
    expect(record?.problem?.code).toBe("invalid");
    expect(Object.keys(record?.problem?.fields ?? {})).toContain("minutes");
    expect(await phone.pending()).toEqual([]);
  });
});

describe("exactly once", () => {
  test("a lost answer: the same mutations are sent again and applied once", async () => {
    const guide = await newGuide();
    const phone = await newPhone(guide);
    const id = await phone.save("activity", undefined, activity());
    const [queued] = await phone.pending();
    network.then("drop_response");
    expect(await phone.sync()).toBe("error");
    expect((await phone.pending()).map((r) => r.id)).toEqual([queued.id]); // still queued, same id
    expect(await phone.sync()).toBe("idle");
    expect((await phone.record("activity", id))?.version).toBe(1);
    const check = await serverCheck(guide);
    expect(check.applied[queued.id]).toBe(1);
    expect(check.history_problems).toEqual([]);
    expect(await snapshot(phone)).toEqual(check.scope);
  });

  test("a lost request changes nothing and is simply sent again", async () => {
    const guide = await newGuide();
    const phone = await newPhone(guide);
    await phone.save("activity", undefined, activity());
    network.then("drop_request");
    expect(await phone.sync()).toBe("error");
    expect(await phone.pending()).toHaveLength(1);
    expect(await phone.sync()).toBe("idle");
    expect(await snapshot(phone)).toEqual((await serverCheck(guide)).scope);
  });
});

describe("paging and cursor", () => {
  test("a new phone catches up page by page and ends with exactly what the server holds", async () => {
    const guide = await newGuide();
    const phone = await newPhone(guide);
    await phone.save("activity", undefined, activity());
    expect(await phone.sync()).toBe("idle");
    await control("seed", { guide_id: guide.guide_id, count: 1099 }); // from the guide's other device
    expect(await phone.sync()).toBe("idle");
    const tablet = await newPhone();
    await tablet.enrolAs(guide);
    network.reset();
    expect(await tablet.sync()).toBe("idle");
    expect(network.syncCalls).toBeGreaterThan(1); // more than one page
    expect(await tablet.live("activity")).toHaveLength(1100);
    const check = await serverCheck(guide);
    expect(check.history_problems).toEqual([]);
    expect(await snapshot(tablet)).toEqual(check.scope);
    expect(await snapshot(phone)).toEqual(check.scope);
    // Nothing new: one round trip, nothing changes.
    network.reset();
    await tablet.sync();
    expect(network.syncCalls).toBe(1);
    // The page asked for while the first one was written is lost: the first page stays with its
    // cursor, and the next sync goes on from there.
    const third = await newPhone();
    await third.enrolAs(guide);
    network.then("ok", "drop_response");
    expect(await third.sync()).toBe("error");
    const kept = (await third.live("activity")).length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(1100);
    expect(await third.sync()).toBe("idle");
    expect(await snapshot(third)).toEqual(check.scope);
  });

  test("a cursor the server does not know (a restored server) makes the phone pull from the start", async () => {
    const guide = await newGuide();
    const phone = await newPhone(guide);
    const id = await phone.save("activity", undefined, activity());
    await phone.sync();
    await phone.setMeta("cursor", "not-a-cursor");
    await phone.db.records.delete(["activity", id]);
    expect(await phone.sync()).toBe("idle");
    expect((await phone.record("activity", id))?.version).toBe(1);
  });
});

describe("the device's token", () => {
  test("revoked by the coordination office: the phone stops with 'revoked'", async () => {
    const guide = await newGuide();
    const phone = await newPhone(guide);
    await phone.save("activity", undefined, activity());
    await phone.sync();
    await control("revoke", { guide_id: guide.guide_id });
    await phone.save("activity", undefined, activity({ minutes: 5 }));
    expect(await phone.sync()).toBe("revoked");
  });

  test("unknown to the server: 'signed out', and the unsynced entries stay for a new enrolment", async () => {
    const guide = await newGuide();
    const phone = await newPhone(guide);
    const enrolment = (await phone.getMeta("enrolment"))!;
    await phone.setMeta("enrolment", { ...enrolment, token: "not-a-token" });
    const id = await phone.save("activity", undefined, activity());
    expect(await phone.sync()).toBe("signed_out");
    expect(await phone.pending()).toHaveLength(1);
    await phone.enrolAs(guide);
    expect(await phone.sync()).toBe("idle");
    expect((await phone.record("activity", id))?.version).toBe(1);
  });

  test("a wrong enrolment code is refused with the server's code", async () => {
    const phone = await newPhone();
    await expect(phone.enrol("ABCD-EFGH", "de")).rejects.toMatchObject({ code: expect.any(String) });
    expect(await phone.getMeta("enrolment")).toBeUndefined();
  });
});
