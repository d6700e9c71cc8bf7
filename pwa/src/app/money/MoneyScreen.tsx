// "My money and my papers": her flat allowances beside each transfer as it was paid (expenses +
// allowances = the amount on her bank statement), her year statements and certificates. Shown as last
// loaded when offline; a paper opened once stays on the phone (data/papers.ts).
import { useEffect, useState } from "preact/hooks";

import {
  certificatePath, keptPapers, paper, refreshMoney, type Stored, storedMoney, yearStatementPath,
} from "../../data/papers";
import { localDate } from "../../data/records";
import { t } from "../../shared/i18n";
import type { MyAllowance, MyTransfer } from "../../shared/wire";
import { dateTag, formatDate, formatDateTime, formatEuro, formatMinutes } from "../components/format";
import { isOffline } from "../components/online";
import { go } from "../router";
import "../styles/forms.css";
import "../styles/lists.css";
import "./money.css";

/** "2026-10" → "Oktober 2026" in the active language (Gregorian months, as the payouts count). */
function formatMonth(month: string): string {
  const [y, m] = month.split("-").map(Number);
  return new Intl.DateTimeFormat(dateTag(), { month: "long", year: "numeric" }).format(new Date(y, m - 1, 1));
}

function basisLabel(basis: string): string {
  return basis === "uebungsleiter_26" ? t("Übungsleiterpauschale (§ 3 Nr. 26 EStG)")
    : t("Ehrenamtspauschale (§ 3 Nr. 26a EStG)");
}

function Transfer({ transfer }: { transfer: MyTransfer }) {
  return (
    <li class="card money-row" data-testid="transfer">
      <span class="entry-head">
        <span class="entry-title">{formatDate(transfer.paid_on)}</span>
        <span class="money strong" data-testid="transfer-amount">{formatEuro(transfer.amount_cents)}</span>
      </span>
      <span class="muted small" data-testid="transfer-parts">
        {t("Expenses {expenses} + allowances {allowances}", {
          expenses: formatEuro(transfer.expense_cents), allowances: formatEuro(transfer.allowance_cents),
        })}
      </span>
      <span class="small" dir="auto">{t("On your bank statement: {text}", { text: transfer.remittance })}</span>
    </li>
  );
}

function Allowance({ line }: { line: MyAllowance }) {
  return (
    <li class="card money-row" data-testid="allowance">
      <span class="entry-head">
        <span class="entry-title">{formatMonth(line.month)}</span>
        <span class="money">{formatEuro(line.amount_cents)}</span>
      </span>
      <span class="muted small">{basisLabel(line.legal_basis)} · {formatMinutes(line.minutes)}</span>
      <span class="small">
        {line.state === "paid" && line.paid_on ? t("Paid on {date}", { date: formatDate(line.paid_on) })
          : t("Approved, not paid yet")}
      </span>
    </li>
  );
}

function Paper({ path, label, filename, kept, onKept }: {
  path: string; label: string; filename: string; kept: boolean; onKept: () => void;
}) {
  const [failed, setFailed] = useState("");
  const open = async () => {
    setFailed("");
    try {
      const blob = await paper(path);
      onKept();
      const url = URL.createObjectURL(blob);
      const link = document.createElement("a");
      link.href = url;
      link.download = filename;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch {
      setFailed(isOffline() ? t("Open it once while online; then it stays on this phone.")
        : t("Could not load the document. Please try again."));
    }
  };
  return (
    <li data-testid="paper" data-kept={kept ? "1" : undefined}>
      <button type="button" class="secondary wide" onClick={() => void open()}>{label}</button>
      {kept && <span class="muted small">{t("Kept on this phone")}</span>}
      {failed && <p class="error" role="alert">{failed}</p>}
    </li>
  );
}

export default function MoneyScreen() {
  const [year, setYear] = useState(Number(localDate().slice(0, 4)));
  const [stored, setStored] = useState<Stored | undefined>();
  const [loading, setLoading] = useState(true);
  const [failed, setFailed] = useState(false);
  const [kept, setKept] = useState<Set<string>>(new Set());
  const reloadKept = () => void keptPapers().then(setKept);

  useEffect(() => {
    let live = true;
    setLoading(true);
    setFailed(false);
    void storedMoney(year).then((s) => live && setStored(s));
    void refreshMoney(year).then((s) => live && setStored(s), () => live && setFailed(true))
      .finally(() => live && setLoading(false));
    reloadKept();
    return () => {
      live = false;
    };
  }, [year]);

  const money = stored?.money;
  return (
    <main class="screen money-screen">
      <header class="top">
        <h1>{t("Payouts and papers")}</h1>
        <button type="button" class="link" onClick={() => go("expenses")}>{t("Back")}</button>
      </header>
      <nav class="year-switch" aria-label={t("Year")}>
        <button type="button" class="secondary" onClick={() => setYear(year - 1)} aria-label={t("Previous year")}>
          <span aria-hidden="true">‹</span></button>
        <span class="year-name" data-testid="year-name" aria-live="polite">{year}</span>
        <button type="button" class="secondary" onClick={() => setYear(year + 1)} aria-label={t("Next year")}
                disabled={year >= Number(localDate().slice(0, 4))}><span aria-hidden="true">›</span></button>
      </nav>
      <p class="muted small" data-testid="money-as-of">
        {loading && !stored ? t("Loading…")
          : stored ? (failed ? t("Offline: as last loaded on {when}.", { when: formatDateTime(stored.fetched_at) })
            : t("Up to date."))
          : t("Not loaded yet: this needs a connection once.")}
      </p>
      {money && (
        <>
          <section aria-labelledby="transfers-title">
            <h2 id="transfers-title">{t("Transfers")}</h2>
            {money.transfers.length === 0 ? <p class="card muted">{t("No transfers in this year.")}</p> : (
              <ul class="entries">{money.transfers.map((tr) => <Transfer key={tr.payout_id} transfer={tr} />)}</ul>
            )}
          </section>
          <section aria-labelledby="allowances-title">
            <h2 id="allowances-title">{t("Flat allowances")}</h2>
            {money.allowances.length === 0 ? <p class="card muted">{t("No flat allowances in this year.")}</p> : (
              <ul class="entries">{money.allowances.map((line) => <Allowance key={line.id} line={line} />)}</ul>
            )}
          </section>
          <section aria-labelledby="papers-title">
            <h2 id="papers-title">{t("My papers")}</h2>
            {money.statement_years.length + money.certificates.length === 0
              ? <p class="card muted">{t("No papers yet.")}</p> : (
                <ul class="papers">
                  {money.statement_years.map((y) => (
                    <Paper key={`y${y}`} path={yearStatementPath(y)} filename={`jahresbescheinigung-${y}.pdf`}
                           label={t("Year statement {year}", { year: y })} kept={kept.has(yearStatementPath(y))}
                           onKept={reloadKept} />
                  ))}
                  {money.certificates.map((c) => (
                    <Paper key={`c${c.id}`} path={certificatePath(c.id)} filename={`nachweis-${c.id}.pdf`}
                           label={t("Certificate {from} – {to}", { from: formatDate(c.period_from), to: formatDate(c.period_to) })}
                           kept={kept.has(certificatePath(c.id))} onKept={reloadKept} />
                  ))}
                </ul>
              )}
          </section>
        </>
      )}
    </main>
  );
}
