import { useState } from "preact/hooks";

import type { LocalRecord } from "../../data/db";
import { conflictsByRecord, keyOf, pendingKeys, recordsOf } from "../../data/queries";
import { t } from "../../shared/i18n";
import type { ActivityData, ConflictData, ExpenseData } from "../../shared/wire";
import {
  categoryLabel, fieldLabel, formatDate, formatEuro, formatMinutes, kindLabel, valueLabel,
} from "../components/format";
import { useLive } from "../components/useLive";
import { edit, editExpense, flash } from "../router";

const PAGE = 100;

interface Entry {
  record: LocalRecord<"activity"> | LocalRecord<"expense">;
  date: string;
  waiting: boolean;
  conflicts: ConflictData[];
}

async function load(): Promise<Entry[]> {
  const [activities, expenses, waiting, conflicts] = await Promise.all([
    recordsOf("activity"), recordsOf("expense"), pendingKeys(), conflictsByRecord(),
  ]);
  const entries: Entry[] = [...activities, ...expenses].map((record) => ({
    record, date: String(record.data.date ?? ""), waiting: waiting.has(keyOf(record)),
    conflicts: conflicts.get(keyOf(record)) ?? [],
  }));
  return entries.sort((a, b) => b.date.localeCompare(a.date) || b.record.changed_at.localeCompare(a.record.changed_at));
}

/** The state of an entry in words, and a tone for its badge. */
function stateOf(entry: Entry): { label: string; tone: string; editable: boolean } {
  const { record } = entry;
  if (record.problem) {
    return record.problem.code === "locked"
      ? { label: t("Not changed: already {state}", { state: stateWord(record.problem.state) }), tone: "bad", editable: false }
      : { label: t("Rejected by the server"), tone: "bad", editable: true };
  }
  if (entry.waiting) return { label: t("Waiting to sync"), tone: "warn", editable: true };
  if (record.version === 0) return { label: t("Waiting to sync"), tone: "warn", editable: true };
  const state = String(record.data.state ?? "");
  if (record.type === "activity") {
    return state === "approved" ? { label: t("Approved"), tone: "ok", editable: false }
      : { label: t("Synced"), tone: "ok", editable: true };
  }
  switch (state) {
    case "submitted": return { label: t("Submitted"), tone: "info", editable: false };
    case "approved": return { label: t("Approved"), tone: "ok", editable: false };
    case "rejected": return { label: t("Rejected"), tone: "bad", editable: true };
    case "paid": return { label: t("Paid"), tone: "ok", editable: false };
    default: return { label: t("Synced"), tone: "ok", editable: true };
  }
}

function stateWord(state: string | undefined): string {
  switch (state) {
    case "submitted": return t("submitted");
    case "approved": return t("approved");
    case "paid": return t("paid");
    default: return state ?? "";
  }
}

function Row({ entry }: { entry: Entry }) {
  const { record } = entry;
  const state = stateOf(entry);
  const isActivity = record.type === "activity";
  const activity = record.data as ActivityData;
  const expense = record.data as ExpenseData;
  const title = isActivity
    ? `${kindLabel(activity.kind)} · ${formatMinutes(activity.minutes ?? 0)}`
    : `${categoryLabel(expense.category)} · ${formatEuro(expense.amount_cents ?? 0)}`;
  const body = (
    <>
      <span class="entry-head">
        <span class="entry-title">{title}</span>
        <span class={`badge ${state.tone}`} data-testid="entry-state">{state.label}</span>
      </span>
      <span class="muted small">{formatDate(entry.date)}</span>
      {isActivity && activity.note && <span class="entry-note">{activity.note}</span>}
      {!isActivity && expense.state === "rejected" && expense.rejection_reason && (
        <span class="entry-problem">{t("Reason: {reason}", { reason: expense.rejection_reason })}</span>
      )}
      {record.problem && record.problem.message && <span class="entry-problem">{record.problem.message}</span>}
      {entry.conflicts.filter((c) => c.lost_by === "guide").map((c, i) => (
        <span key={i} class="entry-problem">
          {c.field === "deleted"
            ? t("Your deletion was undone because the entry was changed elsewhere.")
            : t("Your change to {field} ({lost}) was replaced by {kept}.", {
              field: fieldLabel(String(c.field)), lost: valueLabel(String(c.field), c.lost_value),
              kept: valueLabel(String(c.field), c.kept_value),
            })}
        </span>
      ))}
    </>
  );
  // Activities open on the Log screen, expenses in the Expenses screen's form (read-only once submitted).
  if (!isActivity || state.editable) {
    return (
      <li>
        <button type="button" class="entry" onClick={() => (isActivity ? edit(record.id) : editExpense(record.id))}>
          {body}
          {/* The name screen readers say is the visible text (WCAG 2.5.3), then what the tap does. */}
          <span class="visually-hidden">{t("Edit")}</span>
        </button>
      </li>
    );
  }
  return <li><div class="entry">{body}</div></li>;
}

export default function HistoryScreen() {
  const entries = useLive(load, [], undefined);
  const [shown, setShown] = useState(PAGE);
  const message = flash.value;
  return (
    <main class="screen history">
      <header class="top">
        <h1>{t("History")}</h1>
      </header>
      {message && (
        <p class="notice" role="status">
          {message} <button type="button" class="link" onClick={() => (flash.value = "")}>{t("OK")}</button>
        </p>
      )}
      {entries && entries.length === 0 && <p class="card muted">{t("Nothing logged yet.")}</p>}
      {entries && entries.length > 0 && (
        <ul class="entries">
          {entries.slice(0, shown).map((entry) => <Row key={keyOf(entry.record)} entry={entry} />)}
        </ul>
      )}
      {entries && entries.length > shown && (
        <button type="button" class="secondary wide" onClick={() => setShown(shown + PAGE)}>
          {t("Show more ({count} left)", { count: entries.length - shown })}
        </button>
      )}
    </main>
  );
}
