import { useEffect, useRef, useState } from "preact/hooks";

import { type HistoryRecord, historyPage } from "../../data/history";
import { conflictsByRecord, keyOf, pendingKeys } from "../../data/queries";
import { t } from "../../shared/i18n";
import type { ActivityData, ConflictData, ExpenseData } from "../../shared/wire";
import {
  categoryLabel, fieldLabel, formatDate, formatEuro, formatMinutes, isolate, kindLabel, lockedStateWord, valueLabel,
} from "../components/format";
import { useLive } from "../components/useLive";
import { edit, editExpense, flash } from "../router";
import "../styles/lists.css";

// First page and each further one: about five screens at 360×640, few enough to draw at once on an old
// phone (all 5,000 rows read and 100 drawn took 340–650 ms; the rest comes on scrolling or "show more").
const PAGE = 30;

interface Entry {
  record: HistoryRecord;
  date: string;
  waiting: boolean;
  conflicts: ConflictData[];
}

interface Loaded {
  entries: Entry[];
  total: number;
}

async function load(limit: number): Promise<Loaded> {
  const [page, waiting, conflicts] = await Promise.all([historyPage(limit), pendingKeys(), conflictsByRecord()]);
  const entries = page.records.map((record) => ({
    record, date: String(record.data.date ?? ""), waiting: waiting.has(keyOf(record)),
    conflicts: conflicts.get(keyOf(record)) ?? [],
  }));
  return { entries, total: page.total };
}

/** The state of an entry in words, a tone for its badge, and a stable key (`data-state`, for tests). */
function stateOf(entry: Entry): { label: string; tone: string; editable: boolean; key: string } {
  const { record } = entry;
  if (record.problem) {
    return record.problem.code === "locked"
      ? { label: t("Not changed: already {state}", { state: lockedStateWord(record.problem.state) }), tone: "bad",
          editable: false, key: "locked" }
      : { label: t("Rejected by the server"), tone: "bad", editable: true, key: "refused" };
  }
  if (entry.waiting || record.version === 0) {
    return { label: t("Waiting to sync"), tone: "warn", editable: true, key: "waiting" };
  }
  const state = String(record.data.state ?? "");
  if (record.type === "activity") {
    return state === "approved" ? { label: t("Approved"), tone: "ok", editable: false, key: "approved" }
      : { label: t("Synced"), tone: "ok", editable: true, key: "synced" };
  }
  switch (state) {
    case "submitted": return { label: t("Submitted"), tone: "info", editable: false, key: state };
    case "approved": return { label: t("Approved"), tone: "ok", editable: false, key: state };
    case "rejected": return { label: t("Rejected"), tone: "bad", editable: true, key: state };
    case "paid": return { label: t("Paid"), tone: "ok", editable: false, key: state };
    default: return { label: t("Synced"), tone: "ok", editable: true, key: "open" };
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
      {isActivity && activity.note && <span class="entry-note" dir="auto">{activity.note}</span>}
      {!isActivity && expense.state === "rejected" && expense.rejection_reason && (
        <span class="entry-problem">{t("Reason: {reason}", { reason: isolate(expense.rejection_reason) })}</span>
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
  const attributes = { "data-testid": "history-entry", "data-type": record.type, "data-state": state.key };
  if (!isActivity || state.editable) {
    return (
      <li {...attributes}>
        <button type="button" class="entry" onClick={() => (isActivity ? edit(record.id) : editExpense(record.id))}>
          {body}
          {/* The name screen readers say is the visible text (WCAG 2.5.3), then what the tap does: a
              submitted, approved or paid expense opens read-only, so it says "Show", and why. */}
          {state.editable ? <span class="visually-hidden">{t("Edit")}</span> : (
            <span class="muted small" data-testid="entry-readonly">{t("No longer changeable · tap to view")}</span>
          )}
        </button>
      </li>
    );
  }
  return <li {...attributes}><div class="entry">{body}</div></li>;
}

/** Asks for the next page when the end of the list comes near (the button does the same by tap or key). */
function useMoreOnScroll(more: () => void, active: boolean) {
  const sentinel = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const target = sentinel.current;
    if (!active || !target || typeof IntersectionObserver !== "function") return;
    const observer = new IntersectionObserver((seen) => {
      if (seen.some((e) => e.isIntersecting)) more();
    }, { rootMargin: "0px 0px 600px 0px" });
    observer.observe(target);
    return () => observer.disconnect();
  }, [active, more]);
  return sentinel;
}

export default function HistoryScreen() {
  const [limit, setLimit] = useState(PAGE);
  const loaded = useLive(() => load(limit), [limit], undefined);
  const entries = loaded?.entries;
  const left = loaded ? loaded.total - loaded.entries.length : 0;
  // Only once the previous page is on screen, so one scroll asks for one page.
  const more = () => setLimit((current) => (loaded && loaded.entries.length >= current ? current + PAGE : current));
  const sentinel = useMoreOnScroll(more, left > 0);
  const message = flash.value?.();
  return (
    <main class="screen history">
      <header class="top">
        <h1>{t("History")}</h1>
      </header>
      {message && (
        <p class="notice" role="status">
          {message} <button type="button" class="link" onClick={() => (flash.value = null)}>{t("OK")}</button>
        </p>
      )}
      {entries && entries.length === 0 && <p class="card muted">{t("Nothing logged yet.")}</p>}
      {entries && entries.length > 0 && (
        <ul class="entries" aria-label={t("History")} data-total={loaded.total}>
          {entries.map((entry) => <Row key={keyOf(entry.record)} entry={entry} />)}
        </ul>
      )}
      {left > 0 && (
        <button ref={sentinel} type="button" class="secondary wide" onClick={more} data-testid="history-more">
          {t("Show more ({count} left)", { count: left })}
        </button>
      )}
    </main>
  );
}
