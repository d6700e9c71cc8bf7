import { useEffect, useState } from "preact/hooks";

import { db, type Timer } from "../../data/db";
import { todaySummary } from "../../data/queries";
import {
  discardTimer, endTimer, isShortRun, localDate, minutesSince, resumeTimer, startTimer,
} from "../../data/records";
import { syncNow, syncStatus } from "../../data/sync";
import { t, tn } from "../../shared/i18n";
import { formatDateTime, formatEuro, formatMinutes, formatTime, isolate } from "../components/format";
import { useLive } from "../components/useLive";
import "./today.css";
import { editExpense, enrolment, flash, go, reviewTimer } from "../router";

/** One line that answers "is my work safe?": synced, N waiting, offline, last synced at. */
function SyncLine({ waiting, lastSyncedAt }: { waiting: number; lastSyncedAt?: string }) {
  const status = syncStatus.value;
  let text: string;
  let tone = "ok";
  if (status === "syncing") {
    text = t("Syncing…");
  } else if (status === "offline" || navigator.onLine === false) {
    tone = "warn";
    text = waiting ? tn("Offline – {count} change waiting, saved on this phone",
      "Offline – {count} changes waiting, saved on this phone", waiting)
      : t("Offline – everything is saved on this phone");
  } else if (status === "signed_out") {
    tone = "bad";
    text = t("This phone needs a new enrolment code. Your entries stay on this phone.");
  } else if (waiting) {
    tone = "warn";
    text = tn("{count} change waiting to sync", "{count} changes waiting to sync", waiting);
  } else {
    text = t("Everything synced");
  }
  return (
    <section class={`sync-line ${tone}`} aria-live="polite">
      <p data-testid="sync-state">
        <strong>{text}</strong>
        {status === "error" && <span> · {t("The last attempt failed; trying again soon.")}</span>}
      </p>
      <p class="muted small">
        {lastSyncedAt ? t("Last synced: {when}", { when: formatDateTime(lastSyncedAt) }) : t("Not synced yet")}
      </p>
      <button type="button" class="secondary" data-testid="sync-now" onClick={() => void syncNow()}
              disabled={status === "syncing"}>
        {t("Sync now")}
      </button>
    </section>
  );
}

/**
 * The one-tap timer: start, stop — then the guide reviews the run on the Log screen (start, end, kind,
 * assignment, note) before it is booked. A run under a minute is taken for an accidental tap: it is
 * not booked unless the guide says so (discard, continue the timer, or log it anyway).
 */
function TimerCard() {
  const timer = useLive(async () => ((await db.meta.get("timer"))?.value ?? null) as Timer | null, [], null);
  const [now, setNow] = useState(Date.now());
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!timer || timer.ended_at) return;
    const tick = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(tick);
  }, [timer]);
  const act = (action: () => Promise<unknown>) => async () => {
    setBusy(true);
    try {
      await action();
      setNow(Date.now());
    } finally {
      setBusy(false);
    }
  };
  const stop = act(async () => {
    const ended = await endTimer();
    if (ended && !isShortRun(ended)) reviewTimer();
  });
  const discard = act(async () => {
    if (confirm(t("Discard this accompaniment?"))) await discardTimer();
  });
  let body;
  if (!timer) {
    body = (
      <>
        <p class="muted">{t("Tap when the accompaniment starts and again when it ends; you check the times before it is logged, even if you close the app meanwhile.")}</p>
        <button type="button" class="primary" onClick={act(startTimer)} disabled={busy}>{t("Accompaniment started")}</button>
      </>
    );
  } else if (!timer.ended_at) {
    body = (
      <>
        <p data-testid="timer-running">
          {t("Accompaniment started at {time} – running for {duration}", {
            time: formatTime(timer.started_at), duration: formatMinutes(minutesSince(timer.started_at, now)),
          })}
        </p>
        <button type="button" class="primary" onClick={stop} disabled={busy}>{t("Accompaniment ended")}</button>
      </>
    );
  } else if (isShortRun(timer)) {
    body = (
      <>
        <p class="warn-box" data-testid="timer-short" role="status">
          {t("The timer ran for less than a minute – perhaps an accidental tap. Nothing was logged.")}
        </p>
        <div class="timer-actions">
          <button type="button" class="secondary" onClick={act(discardTimer)} disabled={busy}>{t("Discard")}</button>
          <button type="button" class="secondary" onClick={act(resumeTimer)} disabled={busy}>{t("Continue the timer")}</button>
          <button type="button" class="secondary" onClick={reviewTimer} disabled={busy}>{t("Log it anyway")}</button>
        </div>
      </>
    );
  } else {
    body = (
      <>
        <p data-testid="timer-ended">
          {t("Accompaniment {start}–{end}, not logged yet.", {
            start: formatTime(timer.started_at), end: formatTime(timer.ended_at),
          })}
        </p>
        <div class="timer-actions">
          <button type="button" class="primary" onClick={reviewTimer} disabled={busy}>{t("Check and save")}</button>
          <button type="button" class="secondary" onClick={discard} disabled={busy}>{t("Discard")}</button>
        </div>
      </>
    );
  }
  return (
    <section class="card timer" aria-labelledby="timer-title">
      <h2 id="timer-title">{t("Accompaniment timer")}</h2>
      {body}
    </section>
  );
}

export default function TodayScreen() {
  const month = localDate().slice(0, 7);
  const summary = useLive(() => todaySummary(month), [month], undefined);
  const guide = enrolment.value?.guide;
  const name = typeof guide?.name === "string" ? guide.name : "";
  const message = flash.value?.();
  return (
    <main class="screen today">
      <header class="top">
        <h1>{t("Today")}</h1>
      </header>
      <p class="lead">{name ? t("Hello, {name}!", { name: isolate(name) }) : t("Hello!")}</p>
      {message && (
        <p class="notice" role="status">
          {message} <button type="button" class="link" onClick={() => (flash.value = null)}>{t("OK")}</button>
        </p>
      )}
      {summary && <SyncLine waiting={summary.waiting} lastSyncedAt={summary.lastSyncedAt} />}
      <section class="figures" aria-label={t("This month")}>
        <div class="figure">
          <span class="figure-value" data-testid="month-hours">{formatMinutes(summary?.minutesThisMonth ?? 0)}</span>
          <span class="figure-label">{t("Hours this month")}</span>
        </div>
        <div class="figure">
          <span class="figure-value">{formatEuro(summary?.openExpenseCents ?? 0)}</span>
          <span class="figure-label">{t("Open expenses")}</span>
        </div>
      </section>
      <TimerCard />
      <section class="quick" aria-label={t("Quick actions")}>
        <button type="button" class="primary" onClick={() => go("log")}>{t("Log a meeting")}</button>
        <button type="button" class="secondary" onClick={() => editExpense("new")}>{t("Add an expense")}</button>
        <button type="button" class="secondary" onClick={() => go("assignments")}>{t("My assignments")}</button>
        <button type="button" class="secondary" onClick={() => go("history")}>{t("Show history")}</button>
        <button type="button" class="secondary" data-testid="open-courses" onClick={() => go("courses")}>{t("Courses")}</button>
      </section>
      {typeof enrolment.value?.organization?.name === "string" && (
        <p class="muted small">
          {t("This phone is enrolled with {organization}.", { organization: isolate(enrolment.value.organization.name) })}
        </p>
      )}
    </main>
  );
}
