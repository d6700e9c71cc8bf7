import { useState } from "preact/hooks";

import type { LocalRecord } from "../../data/db";
import { answerOffer } from "../../data/expenses";
import { keyOf, pendingKeys, recordsOf } from "../../data/queries";
import { localDate } from "../../data/records";
import { locale, t, tn } from "../../shared/i18n";
import { type AssignmentData, DISTRICTS } from "../../shared/wire";
import { formatDate, formatMinutes } from "../components/format";
import { whenOffline } from "../components/online";
import { useLive } from "../components/useLive";
import { flash, target } from "../router";
import "../styles/forms.css";
import "../styles/lists.css";
import "./assignments.css";

type Fields = AssignmentData & {
  state?: string;
  offer_state?: string | null;
  client_code?: string | null;
  client_language?: string | null;
  household_size?: number | null;
};

interface Item {
  record: LocalRecord<"assignment">;
  data: Fields;
  waiting: boolean;
}

/** How long "another guide took this" stays on the screen after it arrived. */
const TAKEN_SHOWN_MS = 3 * 24 * 3600_000;

async function load(): Promise<Item[]> {
  const [all, waiting] = await Promise.all([recordsOf("assignment"), pendingKeys()]);
  return all
    .map((record) => ({ record, data: record.data as Fields, waiting: waiting.has(keyOf(record)) }))
    .sort((a, b) => String(a.data.starts_on ?? "").localeCompare(String(b.data.starts_on ?? "")));
}

/** Whole days from today to a local date (negative: in the past). */
export function daysUntil(date: string, today = localDate()): number {
  const utc = (d: string) => {
    const [y, m, day] = d.split("-").map(Number);
    return Date.UTC(y, m - 1, day);
  };
  return Math.round((utc(date) - utc(today)) / 86_400_000);
}

function languageName(code: string | null | undefined): string {
  if (!code) return "";
  try {
    return new Intl.DisplayNames([locale.value.replace("_", "-")], { type: "language" }).of(code) ?? code;
  } catch {
    return code;
  }
}

function specialisationLabel(field: string | null | undefined): string {
  switch (field) {
    case "sport": return t("Sport");
    case "parents": return t("Parents");
    case "university": return t("University");
    case "vocational_training": return t("Vocational training");
    case "tolerance": return t("Tolerance");
    case "environment": return t("Environment");
    default: return "";
  }
}

function period(data: Fields): string {
  const from = data.starts_on ? formatDate(data.starts_on) : "";
  return data.ends_on ? t("{from} to {to}", { from, to: formatDate(data.ends_on) }) : t("from {from}", { from });
}

function endsIn(data: Fields): string {
  if (!data.ends_on) return t("No end date");
  const days = daysUntil(data.ends_on);
  if (days < 0) return t("Ended on {date}", { date: formatDate(data.ends_on) });
  if (days === 0) return t("Ends today");
  if (days === 1) return t("Ends tomorrow");
  return tn("Ends in {count} day", "Ends in {count} days", days);
}

function answerProblem(code: string, fallback: string): string {
  switch (code) {
    case "taken": return t("Another guide accepted this assignment first.");
    case "not_offered": return t("This offer is no longer open.");
    default: return fallback || t("The server did not accept your answer.");
  }
}

/** What the guide may know of the assignment: no name, only the client's pseudonym code. */
function Details({ data }: { data: Fields }) {
  const facts: [string, string][] = [];
  facts.push([t("When"), period(data)]);
  if (data.client_code) facts.push([t("Client"), data.client_code]);
  if (data.client_language) facts.push([t("Client's language"), languageName(data.client_language)]);
  if (data.household_size) facts.push([t("Household size"), String(data.household_size)]);
  if (data.language && data.language !== data.client_language) facts.push([t("Language"), languageName(data.language)]);
  if (data.district) facts.push([t("District"), DISTRICTS[data.district] ?? data.district]);
  if (data.field) facts.push([t("Field"), specialisationLabel(data.field)]);
  if (data.planned_minutes) facts.push([t("Planned time"), formatMinutes(data.planned_minutes)]);
  return (
    <>
      <dl class="facts">
        {facts.map(([term, value]) => (
          <div key={term}><dt>{term}</dt><dd>{value}</dd></div>
        ))}
      </dl>
      {data.description && <p class="assignment-description" dir="auto">{data.description}</p>}
    </>
  );
}

function Offer({ item }: { item: Item }) {
  const [busy, setBusy] = useState(false);
  const { record, data, waiting } = item;
  const answer = async (response: "accepted" | "declined") => {
    if (response === "declined" && !confirm(t("Decline this offer?"))) return;
    setBusy(true);
    try {
      await answerOffer(record.id, response);
      flash.value = () => whenOffline(t("Your answer is saved on this phone and will be sent when you are online."),
        t("Your answer is saved on this phone and is being sent now."));
    } finally {
      setBusy(false);
    }
  };
  const answered = waiting ? data.response : undefined;
  return (
    <li class={`card assignment${target.value.id === record.id ? " targeted" : ""}`} data-testid="offer"
        data-id={record.id} ref={(el) => { if (el && target.value.id === record.id) el.scrollIntoView({ block: "center" }); }}>
      <h3 dir="auto">{data.title}</h3>
      <Details data={data} />
      {record.problem && <p class="error" role="alert">{answerProblem(record.problem.code, record.problem.message)}</p>}
      {answered ? (
        <p class="badge warn answered" data-testid="offer-answer">
          {answered === "accepted" ? t("Accepted – waiting to sync") : t("Declined – waiting to sync")}
        </p>
      ) : (
        <div class="actions">
          <button type="button" class="primary" data-testid="offer-accept" disabled={busy}
                  onClick={() => void answer("accepted")}>
            {t("Accept")}
          </button>
          <button type="button" class="secondary" data-testid="offer-decline" disabled={busy}
                  onClick={() => void answer("declined")}>
            {t("Decline")}
          </button>
        </div>
      )}
    </li>
  );
}

function Agreement({ item }: { item: Item }) {
  const { data } = item;
  const soon = data.ends_on ? daysUntil(data.ends_on) : Infinity;
  return (
    <li class="card assignment" data-testid="agreement">
      <div class="entry-head">
        <h3 dir="auto">{data.title}</h3>
        <span class={`badge ${soon <= 14 ? "warn" : "ok"}`} data-testid="ends-in">{endsIn(data)}</span>
      </div>
      <Details data={data} />
    </li>
  );
}

export default function AssignmentsScreen() {
  const items = useLive(load, [], undefined);
  const message = flash.value?.();
  const now = Date.now();
  const offers = items?.filter(({ data, waiting }) =>
    data.state === "offered" && (data.offer_state === "offered" || waiting)) ?? [];
  const active = items?.filter(({ data, waiting }) =>
    !waiting && data.state === "active" && data.offer_state === "accepted") ?? [];
  const taken = items?.filter(({ data, record, waiting }) => !waiting && data.offer_state === "taken"
    && now - Date.parse(record.changed_at) < TAKEN_SHOWN_MS) ?? [];
  const ended = items?.filter(({ data }) => data.state === "ended" && data.offer_state === "accepted") ?? [];
  return (
    <main class="screen assignments">
      <header class="top">
        <h1>{t("My assignments")}</h1>
      </header>
      {message && (
        <p class="notice" role="status">
          {message} <button type="button" class="link" onClick={() => (flash.value = null)}>{t("OK")}</button>
        </p>
      )}
      {items && (
        <>
          <section aria-labelledby="offers-title">
            <h2 id="offers-title">{t("Offers")}</h2>
            {offers.length ? (
              <ul class="assignment-list">{offers.map((item) => <Offer key={item.record.id} item={item} />)}</ul>
            ) : <p class="muted">{t("No open offers right now.")}</p>}
          </section>
          <section aria-labelledby="active-title">
            <h2 id="active-title">{t("Active agreements")}</h2>
            {active.length ? (
              <ul class="assignment-list">{active.map((item) => <Agreement key={item.record.id} item={item} />)}</ul>
            ) : <p class="muted">{t("No active agreements.")}</p>}
          </section>
          {taken.length > 0 && (
            <section aria-labelledby="taken-title">
              <h2 id="taken-title">{t("No longer available")}</h2>
              <ul class="assignment-list">
                {taken.map(({ record, data }) => (
                  <li key={record.id} class="card assignment taken" data-testid="taken">
                    <h3 dir="auto">{data.title}</h3>
                    <p class="muted">{t("Another guide took this.")}</p>
                  </li>
                ))}
              </ul>
            </section>
          )}
          {ended.length > 0 && (
            <section aria-labelledby="ended-title">
              <h2 id="ended-title">{t("Ended")}</h2>
              <ul class="assignment-list">
                {ended.map(({ record, data }) => (
                  <li key={record.id} class="card assignment taken">
                    <h3 dir="auto">{data.title}</h3>
                    <p class="muted">{period(data)}</p>
                  </li>
                ))}
              </ul>
            </section>
          )}
        </>
      )}
    </main>
  );
}
