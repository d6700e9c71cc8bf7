import { useState } from "preact/hooks";

import { dismissClaim, submitClaim } from "../../data/expenses";
import { localDate } from "../../data/records";
import { t } from "../../shared/i18n";
import { EXPENSE_CATEGORIES } from "../../shared/wire";
import { categoryLabel, formatDate, formatDateTime, formatEuro, isolate } from "../components/format";
import { whenOffline } from "../components/online";
import { useLive } from "../components/useLive";
import { editExpense, editingExpense, flash, go, target } from "../router";
import ExpenseForm from "./ExpenseForm";
import "../styles/forms.css";
import "../styles/lists.css";
import "./expenses.css";
import {
  type Claim, claimProblem, claimTitle, formatMonth, loadMonth, type MonthView, needsReceipt, type Row, shiftMonth,
  statusOf,
} from "./model";

function ExpenseRow({ row, inClaim }: { row: Row; inClaim: boolean }) {
  const { data, record } = row;
  const status = statusOf(row, inClaim);
  const title = `${categoryLabel(data.category)} · ${formatEuro(data.amount_cents ?? 0)}`;
  const receipts = data.receipts?.length ?? 0;
  return (
    <li>
      <button type="button" class="entry" data-testid="expense" data-id={record.id} data-state={status.key}
              onClick={() => editExpense(record.id)}
              aria-label={`${title}, ${formatDate(String(data.date))}, ${status.label}. ${status.editable ? t("Edit") : t("Show")}`}>
        <span class="entry-head">
          <span class="entry-title">{title}</span>
          <span class={`badge ${status.tone}`} data-testid="expense-state">{status.label}</span>
        </span>
        <span class="muted small">
          {formatDate(String(data.date))}
          {data.category === "mileage" && data.km != null && ` · ${data.km} km`}
          {receipts > 0 && ` · ${t("Receipts: {count}", { count: receipts })}`}
        </span>
        {data.description && <span class="entry-note" dir="auto">{data.description}</span>}
        {row.pendingReceipts > 0 && (
          <span class="receipt-pending" data-testid="receipt-pending">{t("Receipt pending")}</span>
        )}
        {row.refusedReceipts > 0 && (
          <span class="entry-problem" data-testid="receipt-refused">
            {t("The server could not accept a receipt photo (too large or not a picture). Please open the expense, remove that photo and take it again.")}
          </span>
        )}
        {data.state === "rejected" && data.rejection_reason && (
          <span class="entry-problem" data-testid="rejection-reason" dir="auto">
            {t("Reason: {reason}", { reason: isolate(data.rejection_reason) })}
          </span>
        )}
        {data.state !== "rejected" && (data.earlier_rejections ?? []).map((r, index) => (
          <span key={index} class="muted small" data-testid="earlier-rejection" dir="auto">
            {t("Rejected earlier: {reason}", { reason: isolate(r.reason) })}
          </span>
        ))}
        {record.problem?.message && <span class="entry-problem">{record.problem.message}</span>}
      </button>
    </li>
  );
}

/** "Submit this month's claim": first a summary, then one `claim` upsert. */
function ClaimPanel({ month, view }: { month: string; view: MonthView }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const open = view.rows.filter((r) => !r.record.problem && (r.data.state ?? "open") === "open");
  const { claim } = view;

  const submit = async () => {
    setBusy(true);
    try {
      await submitClaim(month);
      setAsking(false);
      flash.value = () => whenOffline(t("Claim saved on this phone. It will be sent when you are online."),
        t("Claim saved on this phone. Sending it now."));
    } finally {
      setBusy(false);
    }
  };

  const refused = view.refused.map((c) => (
    <p key={c.id} class="error" role="alert" data-testid="claim-problem">
      {claimProblem(c.problem!.code, c.problem!.message)}{" "}
      <button type="button" class="link" onClick={() => void dismissClaim(c.id)}>{t("OK")}</button>
    </p>
  ));

  const sent = view.claims.map((c, index) => (
    <ClaimState key={c.id} claim={c} month={month} followUp={index > 0} waiting={view.claimWaiting && c === claim} />
  ));
  if (view.claimWaiting || open.length === 0) {
    return sent.length || refused.length ? <>{sent}{refused.length > 0 && <section class="card claim">{refused}</section>}</>
      : null;
  }
  const total = open.reduce((sum, r) => sum + (r.data.amount_cents ?? 0), 0);
  const noReceipt = open.filter((r) => needsReceipt(r.data));
  const followUp = view.claims.length > 0;
  return (
    <>
    {sent}
    <section class="card claim" aria-labelledby="claim-title" data-testid={followUp ? "followup-panel" : "claim-panel"}>
      <h2 id="claim-title">{claimTitle(undefined, month, followUp)}</h2>
      {refused}
      {followUp && (
        <p class="hint">{t("Expenses added or corrected after the claim was submitted go into a follow-up claim for the same month.")}</p>
      )}
      {!asking ? (
        <button type="button" class="primary" onClick={() => setAsking(true)}>
          {followUp ? t("Submit follow-up claim for {month}", { month: formatMonth(month) })
            : t("Submit claim for {month}", { month: formatMonth(month) })}
        </button>
      ) : (
        <div class="claim-summary" data-testid="claim-summary">
          <p>{t("Open expenses: {count}, total {total}", { count: open.length, total: formatEuro(total) })}</p>
          <ul class="per-category">
            {EXPENSE_CATEGORIES.map((category) => {
              const of = open.filter((r) => r.data.category === category);
              if (!of.length) return null;
              return (
                <li key={category}>
                  <span>{categoryLabel(category)} ({of.length})</span>
                  <span class="money">{formatEuro(of.reduce((s, r) => s + (r.data.amount_cents ?? 0), 0))}</span>
                </li>
              );
            })}
          </ul>
          {noReceipt.length > 0 && (
            <p class="warn-box" data-testid="claim-no-receipt">
              {t("Without a receipt photo: {list}. The coordination office may ask for it.", {
                list: noReceipt.map((r) => `${categoryLabel(r.data.category)} ${formatEuro(r.data.amount_cents ?? 0)}`)
                  .join(", "),
              })}
            </p>
          )}
          <p class="hint">{t("After submitting, these expenses can no longer be changed.")}</p>
          <div class="actions">
            <button type="button" class="primary" onClick={submit} disabled={busy}>{t("Submit claim")}</button>
            <button type="button" class="secondary" onClick={() => setAsking(false)}>{t("Cancel")}</button>
          </div>
        </div>
      )}
    </section>
    </>
  );
}

/** One sent (or waiting) claim of the month: what became of it. */
function ClaimState({ claim, month, followUp, waiting }: { claim: Claim; month: string; followUp: boolean; waiting: boolean }) {
  const data = claim.data as { state?: string; total_cents?: number; expense_count?: number; submitted_at?: string };
  let text: string;
  if (waiting) {
    text = whenOffline(t("The claim is saved on this phone and will be sent when you are online."),
      t("The claim is saved on this phone and is being sent now."));
  }
  else if (claim.problem) text = claimProblem(claim.problem.code, claim.problem.message);
  else if (data.state === "paid") text = t("The claim was paid.");
  else if (data.state === "decided") text = t("The coordination office has decided on the claim.");
  else {
    text = t("Claim submitted on {when}. Expenses: {count}, total {total}.", {
      when: data.submitted_at ? formatDateTime(data.submitted_at) : "",
      count: data.expense_count ?? 0, total: formatEuro(data.total_cents ?? 0),
    });
  }
  const id = `claim-title-${claim.id}`;
  return (
    <section class="card claim" aria-labelledby={id} data-testid="claim" data-state={waiting ? "waiting" : data.state}>
      <h2 id={id}>{claimTitle(claim, month, followUp)}</h2>
      <p class={claim.problem ? "error" : ""} data-testid="claim-state">{text}</p>
    </section>
  );
}

function MonthList() {
  // A tapped claim notification names its month (router `target`).
  const [month, setMonth] = useState(/^\d{4}-\d{2}$/.test(target.value.month ?? "") ? target.value.month! : localDate().slice(0, 7));
  const view = useLive(() => loadMonth(month), [month], undefined);
  const message = flash.value?.();
  const current = localDate().slice(0, 7);
  const total = view?.rows.reduce((sum, r) => sum + (r.data.amount_cents ?? 0), 0) ?? 0;
  const inClaim = !!view?.claimWaiting;
  return (
    <main class="screen expenses">
      <header class="top">
        <h1>{t("Expenses")}</h1>
      </header>
      {message && (
        <p class="notice" role="status">
          {message} <button type="button" class="link" onClick={() => (flash.value = null)}>{t("OK")}</button>
        </p>
      )}
      <button type="button" class="primary wide" onClick={() => editExpense("new")}>{t("Add an expense")}</button>
      <nav class="month-switch" aria-label={t("Month")}>
        <button type="button" class="secondary" data-testid="month-previous" onClick={() => setMonth(shiftMonth(month, -1))}
                aria-label={t("Previous month")}><span aria-hidden="true">‹</span></button>
        <span class="month-name" data-testid="month-name" data-month={month} aria-live="polite">{formatMonth(month)}</span>
        <button type="button" class="secondary" onClick={() => setMonth(shiftMonth(month, 1))}
                disabled={month >= current} aria-label={t("Next month")}><span aria-hidden="true">›</span></button>
      </nav>
      {view && view.rows.length > 0 && (
        <p class="muted small" data-testid="month-total">
          {t("Expenses: {count}, total {total}", { count: view.rows.length, total: formatEuro(total) })}
        </p>
      )}
      {view && view.rows.length === 0 && <p class="card muted">{t("No expenses in this month.")}</p>}
      {view && view.rows.length > 0 && (
        <ul class="entries">
          {view.rows.map((row) => <ExpenseRow key={row.record.id} row={row} inClaim={inClaim} />)}
        </ul>
      )}
      {view && <ClaimPanel month={month} view={view} />}
      <button type="button" class="secondary wide" data-testid="open-money" onClick={() => go("money")}>
        {t("My payouts, allowances and papers")}
      </button>
    </main>
  );
}

export default function ExpensesScreen() {
  const id = editingExpense.value;
  return id ? <ExpenseForm id={id === "new" ? undefined : id} /> : <MonthList />;
}
