import { useEffect, useState } from "preact/hooks";

import { db, type Timer } from "../../data/db";
import { centsPerKm } from "../../data/expenses";
import { type Expense, mileageOf, saveMeetingWithMileage, stillOpen } from "../../data/mileage";
import { myAssignments, organization, pendingKeys } from "../../data/queries";
import { deleteRecord, localDate, saveRecord, saveTimerActivity } from "../../data/records";
import { t } from "../../shared/i18n";
import { parseNumber, parseWhole } from "../../shared/numbers";
import {
  ACTIVITY_KINDS, type ActivityData, type ActivityKind, type AssignmentData, DISTRICT_CODES, DISTRICTS,
  type DistrictCode, RECORD_SPECS,
} from "../../shared/wire";
import { formatEuro, kindLabel } from "../components/format";
import { whenOffline } from "../components/online";
import { useLive } from "../components/useLive";
import { editing, flash, go, reviewingTimer } from "../router";
import { useUnsavedInput } from "../shell/unsaved";
import "../styles/forms.css";
import { type Warning, warningsFor } from "./plausibility";

const LIMITS = RECORD_SPECS.activity.fields;

interface Form {
  date: string;
  mode: "duration" | "span";
  hours: string;
  minutes: string;
  start: string;
  end: string;
  kind: ActivityKind;
  assignment_id: string;
  district: string;
  travel_km: string;
  note: string;
  needs_professional_help: boolean;
  /** Also add a mileage expense for the km (offered when the meeting has none linked yet). */
  add_mileage: boolean;
}

const EMPTY: Form = {
  date: "", mode: "duration", hours: "1", minutes: "0", start: "", end: "", kind: "accompaniment",
  assignment_id: "", district: "", travel_km: "", note: "", needs_professional_help: false, add_mileage: true,
};

function fromRecord(data: ActivityData): Form {
  const total = data.minutes ?? 60;
  // Logged from – to: shown that way again (the start time lets overlaps be seen).
  const start = data.start_time ? toMinutes(data.start_time) : null;
  const span = start !== null && start + total <= 24 * 60
    ? { mode: "span" as const, start: data.start_time!, end: clockOfMinutes(start + total) } : {};
  return {
    ...EMPTY, ...span, date: data.date ?? localDate(), hours: String(Math.floor(total / 60)), minutes: String(total % 60),
    kind: data.kind ?? "accompaniment", assignment_id: data.assignment_id ?? "", district: data.district ?? "",
    travel_km: data.travel_km == null ? "" : String(data.travel_km), note: data.note ?? "",
    needs_professional_help: data.needs_professional_help ?? false,
    // km already noted before: offer the expense, but do not add one unasked on an unrelated edit.
    add_mileage: data.travel_km == null,
  };
}

/** "HH:MM" of an instant in the phone's own time zone (the times the guide saw on her watch). */
function clockTime(at: Date): string {
  return `${String(at.getHours()).padStart(2, "0")}:${String(at.getMinutes()).padStart(2, "0")}`;
}

/** The stopped timer's run as a form: from – to, an accompaniment; a run under a minute becomes one minute. */
function fromTimer(timer: Timer): Form {
  const start = new Date(timer.started_at);
  const end = new Date(Math.max(Date.parse(timer.ended_at ?? timer.started_at), start.getTime() + 60_000));
  return { ...EMPTY, date: localDate(start), mode: "span", start: clockTime(start), end: clockTime(end) };
}

function clockOfMinutes(total: number): string {
  return `${String(Math.floor(total / 60) % 24).padStart(2, "0")}:${String(total % 60).padStart(2, "0")}`;
}

function toMinutes(clock: string): number | null {
  const match = /^(\d{1,2}):(\d{2})$/.exec(clock);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

/** The form as wire fields, or the errors by field (checked against the limits from sync/spec.py). */
function validate(form: Form): { fields?: ActivityData; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const year = Number(form.date.slice(0, 4));
  if (!/^\d{4}-\d{2}-\d{2}$/.test(form.date) || year < 2000 || year > 2100) errors.date = t("Please enter a date.");
  let minutes: number;
  if (form.mode === "span") {
    const start = toMinutes(form.start);
    const end = toMinutes(form.end);
    minutes = start == null || end == null ? NaN : end - start;
  } else {
    const hours = form.hours.trim() === "" ? 0 : parseNumber(form.hours);
    const mins = form.minutes.trim() === "" ? 0 : parseWhole(form.minutes);
    minutes = hours === null || mins === null ? NaN : Math.round(hours * 60) + mins;
  }
  if (!Number.isInteger(minutes) || minutes < LIMITS.minutes.min || minutes > LIMITS.minutes.max) {
    errors.minutes = form.mode === "span" ? t("The end must be after the start, on the same day.")
      : t("Enter a duration between 1 minute and 24 hours.");
  }
  const km = form.travel_km.trim() === "" ? null : parseWhole(form.travel_km) ?? NaN;
  if (km !== null && (!Number.isInteger(km) || km < LIMITS.travel_km.min || km > LIMITS.travel_km.max)) {
    errors.travel_km = t("Enter whole kilometres between 0 and 2000.");
  }
  if (form.note.length > LIMITS.note.maxLength) errors.note = t("The note is too long.");
  if (Object.keys(errors).length) return { errors };
  return {
    errors,
    fields: {
      date: form.date, minutes, start_time: form.mode === "span" ? form.start : null, kind: form.kind,
      assignment_id: form.assignment_id || null,
      district: (form.district || null) as DistrictCode | null, travel_km: km, note: form.note.trim(),
      needs_professional_help: form.needs_professional_help,
    },
  };
}

function warningText(warning: Warning): string {
  switch (warning.key) {
    case "future": return t("The date is in the future.");
    case "long": return t("The entry is longer than 12 hours.");
    case "overlap": return t("It overlaps another entry of this day ({start}–{end}).", { start: warning.start, end: warning.end });
  }
}

/** What saving does with the km: add a mileage expense (offered), change the linked one, or leave it. */
function MileageOffer({ km, rate, linked, add, onAdd }: {
  km: number | null; rate: number; linked: Expense | undefined; add: boolean; onAdd: (on: boolean) => void;
}) {
  if (linked) {
    const data = linked.data;
    if (!stillOpen(linked)) {
      return <p class="hint" data-testid="mileage-plan">{t("The mileage expense for this meeting ({km} km) was already submitted; it stays as it is.", { km: data.km ?? 0 })}</p>;
    }
    if (!km || km === data.km) {
      return <p class="hint" data-testid="mileage-plan">{t("Claimed as a mileage expense: {km} km, {amount}.", { km: data.km ?? 0, amount: formatEuro(data.amount_cents ?? 0) })}</p>;
    }
    return (
      <p class="hint" data-testid="mileage-plan">
        {t("Saving changes the linked mileage expense to {km} km × {rate} = {amount}.", { km, rate: formatEuro(rate), amount: formatEuro(km * rate) })}
      </p>
    );
  }
  if (!km || km < 1) return null;
  return (
    <label class="check" data-testid="mileage-plan">
      <input type="checkbox" checked={add} onChange={(e) => onAdd(e.currentTarget.checked)} />
      <span>
        {t("Also claim as a mileage expense")}
        <span class="hint block">
          {add ? t("Saving adds a mileage expense of {km} km × {rate} = {amount}, linked to this meeting.", { km, rate: formatEuro(rate), amount: formatEuro(km * rate) })
            : t("No expense is added; the km are only noted with the meeting.")}
        </span>
      </span>
    </label>
  );
}

export default function LogScreen() {
  const id = editing.value || undefined;
  const reviewing = !id && reviewingTimer.value;
  const [form, setForm] = useState<Form>({ ...EMPTY, date: localDate() });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  const [locked, setLocked] = useState(false);
  const assignments = useLive(myAssignments, [], []);
  const org = useLive(organization, [], undefined);
  const linked = useLive(() => mileageOf(id), [id], undefined);
  const [touched, setTouched] = useState(false);
  // Plausibility warnings the guide has to confirm (or correct) before this save goes through.
  const [warnings, setWarnings] = useState<Warning[] | null>(null);
  useUnsavedInput("log", touched); // no app update while this form holds typed input

  useEffect(() => {
    if (!id && reviewing) {
      void db.meta.get("timer").then((row) => {
        const timer = row?.value as Timer | null | undefined;
        if (timer?.ended_at) setForm(fromTimer(timer));
        else go("today"); // saved or discarded meanwhile (another tab)
      });
      return;
    }
    if (!id) {
      setForm({ ...EMPTY, date: localDate() });
      return;
    }
    void (async () => {
      const record = await db.records.get(["activity", id]);
      if (!record) return;
      setForm(fromRecord(record.data as ActivityData));
      const waiting = (await pendingKeys()).has(`activity\u0000${id}`);
      setLocked(!waiting && (record.data as ActivityData).state === "approved");
    })();
  }, [id, reviewing]);

  const set = <K extends keyof Form>(key: K, value: Form[K]) => {
    setTouched(true);
    setWarnings(null); // a changed entry is checked again
    setForm((f) => ({ ...f, [key]: value }));
  };

  const submit = async (event: Event, confirmed = false) => {
    event.preventDefault();
    if (busy) return;
    const { fields, errors: found } = validate(form);
    setErrors(found);
    if (!fields) return;
    if (!confirmed) {
      const found = await warningsFor(fields, id);
      if (found.length) {
        setWarnings(found);
        return;
      }
    }
    setBusy(true);
    setFailed(false);
    try {
      // The activity (with the cleared timer, for a timer's run) and its mileage expense, one transaction.
      await saveMeetingWithMileage(
        () => (reviewing ? saveTimerActivity(fields) : saveRecord("activity", id, fields)),
        fields.date!, fields.travel_km ?? null, form.add_mileage, org,
      );
      flash.value = () => whenOffline(t("Saved on this phone. It will be sent when you are online."),
        t("Saved on this phone. Sending it now."));
      go(id ? "history" : "today");
    } catch {
      setFailed(true);
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (!id || !confirm(t("Delete this entry?"))) return;
    await deleteRecord("activity", id);
    flash.value = () => t("Entry deleted.");
    go("history");
  };

  const error = (key: string) => errors[key] && <p id={`${key}-error`} class="error" role="alert">{errors[key]}</p>;
  const described = (key: string) => (errors[key] ? `${key}-error` : undefined);

  return (
    <main class="screen log">
      <header class="top">
        <h1>{reviewing ? t("Check the accompaniment") : !id ? t("Log a meeting") : locked ? t("Meeting") : t("Edit meeting")}</h1>
        {reviewing && <button type="button" class="link" onClick={() => go("today")}>{t("Back")}</button>}
      </header>
      {reviewing && (
        <p class="notice info" data-testid="timer-review">
          {t("The times come from the timer. Change anything that is not right, then save; until then nothing is logged.")}
        </p>
      )}
      {locked && <p class="notice">{t("This entry was approved and can no longer be changed.")}</p>}
      <form class="card" onSubmit={submit} noValidate>
        <fieldset disabled={locked || busy}>
          <label for="date">{t("Date")}</label>
          <input id="date" type="date" value={form.date} required min="2000-01-01" max="2100-12-31"
                 onInput={(e) => set("date", e.currentTarget.value)} aria-describedby={described("date")} />
          {error("date")}

          <div class="segmented" role="radiogroup" aria-label={t("How to enter the time")}>
            <label class={form.mode === "duration" ? "on" : ""}>
              <input type="radio" name="mode" checked={form.mode === "duration"} onChange={() => set("mode", "duration")} />
              {t("Duration")}
            </label>
            <label class={form.mode === "span" ? "on" : ""}>
              <input type="radio" name="mode" checked={form.mode === "span"} onChange={() => set("mode", "span")} />
              {t("From – to")}
            </label>
          </div>
          {form.mode === "duration" ? (
            <div class="row">
              <div>
                <label for="hours">{t("Hours")}</label>
                <input id="hours" type="text" inputMode="decimal" autoComplete="off" value={form.hours}
                       onInput={(e) => set("hours", e.currentTarget.value)} aria-describedby={described("minutes")} />
              </div>
              <div>
                <label for="minutes">{t("Minutes")}</label>
                <input id="minutes" type="text" inputMode="decimal" autoComplete="off" value={form.minutes}
                       onInput={(e) => set("minutes", e.currentTarget.value)} aria-describedby={described("minutes")} />
              </div>
            </div>
          ) : (
            <div class="row">
              <div>
                <label for="start">{t("From")}</label>
                <input id="start" type="time" value={form.start} onInput={(e) => set("start", e.currentTarget.value)} />
              </div>
              <div>
                <label for="end">{t("To")}</label>
                <input id="end" type="time" value={form.end} onInput={(e) => set("end", e.currentTarget.value)} />
              </div>
            </div>
          )}
          {error("minutes")}

          <label for="kind">{t("Kind")}</label>
          <select id="kind" value={form.kind} onChange={(e) => set("kind", e.currentTarget.value as ActivityKind)}>
            {ACTIVITY_KINDS.map((k) => <option key={k} value={k}>{kindLabel(k)}</option>)}
          </select>

          <label for="assignment">{t("Assignment")}</label>
          <select id="assignment" value={form.assignment_id} onChange={(e) => set("assignment_id", e.currentTarget.value)}>
            <option value="">{t("No assignment")}</option>
            {form.assignment_id && !assignments.some((a) => a.id === form.assignment_id) && (
              <option value={form.assignment_id}>{t("An assignment that has ended")}</option>
            )}
            {assignments.map((a) => (
              <option key={a.id} value={a.id}>{(a.data as AssignmentData).title ?? a.id}</option>
            ))}
          </select>

          <label for="district">{t("District")}</label>
          <select id="district" value={form.district} onChange={(e) => set("district", e.currentTarget.value)}>
            <option value="">{t("No district")}</option>
            {DISTRICT_CODES.map((code) => <option key={code} value={code}>{DISTRICTS[code]}</option>)}
          </select>

          <label for="travel_km">{t("Travel (km)")}</label>
          <input id="travel_km" type="text" inputMode="decimal" autoComplete="off" value={form.travel_km}
                 onInput={(e) => set("travel_km", e.currentTarget.value)} aria-describedby={described("travel_km")} />
          {error("travel_km")}
          <MileageOffer km={parseWhole(form.travel_km)} rate={centsPerKm(org, form.date || localDate())}
                        linked={linked} add={form.add_mileage} onAdd={(on) => set("add_mileage", on)} />

          <label for="note">{t("Note")}</label>
          <p id="note-hint" class="hint">
            {t("Please do not write names or other personal data of the people you accompany.")}
          </p>
          <textarea id="note" dir="auto" rows={3} maxLength={LIMITS.note.maxLength} value={form.note}
                    onInput={(e) => set("note", e.currentTarget.value)} aria-describedby="note-hint" />
          {error("note")}

          <label class="check">
            <input type="checkbox" checked={form.needs_professional_help}
                   onChange={(e) => set("needs_professional_help", e.currentTarget.checked)} />
            <span>
              {t("Needs professional help")}
              <span class="hint block">{t("This goes beyond what I can do as a guide; the coordination office is told.")}</span>
            </span>
          </label>

          {failed && <p class="error" role="alert">{t("Could not save on this phone. Please try again.")}</p>}
          {warnings ? (
            <div class="warn-box" role="alert" data-testid="plausibility">
              <p>{t("Please check before saving:")}</p>
              <ul>{warnings.map((w) => <li key={w.key} data-warning={w.key}>{warningText(w)}</li>)}</ul>
              <div class="actions">
                <button type="button" class="primary" onClick={(e) => void submit(e, true)}>{t("Save anyway")}</button>
                <button type="button" class="secondary" onClick={() => setWarnings(null)}>{t("Correct it")}</button>
              </div>
            </div>
          ) : <button type="submit" class="primary">{busy ? t("Saving…") : t("Save")}</button>}
        </fieldset>
        {id && !locked && (
          <button type="button" class="danger" onClick={remove}>{t("Delete entry")}</button>
        )}
      </form>
    </main>
  );
}
