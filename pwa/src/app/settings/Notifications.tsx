import { useEffect, useState } from "preact/hooks";

import { db } from "../../data/db";
import { pushState, type PushState, turnPushOff, turnPushOn } from "../../data/push";
import { saveRecord } from "../../data/records";
import { t } from "../../shared/i18n";
import { type ProfileData, REMINDER_KINDS, type ReminderKind } from "../../shared/wire";
import { useLive } from "../components/useLive";

function reminderLabel(kind: ReminderKind): string {
  switch (kind) {
    case "claim": return t("Submit the claim: in the first days of a month, when expenses of the last month are open");
    case "hours": return t("Log your hours: when nothing was logged for an active assignment for 14 days");
    default: return t("Plenum: the day before");
  }
}

/** Opt-in to notifications, with what they are and are not; and which reminders the guide wants. */
export function Notifications() {
  const [state, setState] = useState<PushState | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  const profile = useLive(() => db.records.where("type").equals("profile").first(), [], undefined);
  useEffect(() => void pushState().then(setState), []);

  const toggle = async () => {
    setBusy(true);
    setFailed(false);
    try {
      setState(state === "on" ? await turnPushOff() : await turnPushOn());
    } catch {
      setFailed(true);
      setState(await pushState());
    } finally {
      setBusy(false);
    }
  };
  const muted = ((profile?.data as ProfileData | undefined)?.muted_reminders ?? []) as ReminderKind[];
  const setReminder = (kind: ReminderKind, on: boolean) => {
    if (!profile) return;
    const next = REMINDER_KINDS.filter((k) => (k === kind ? !on : muted.includes(k)));
    void saveRecord("profile", profile.id, { muted_reminders: next });
  };

  return (
    <section class="card" aria-labelledby="notifications-title" data-testid="notifications">
      <h2 id="notifications-title">{t("Notifications")}</h2>
      <p>{t("This phone can tell you when there is something new: an offer, a decision on your expenses, a payment, a message from your coordination office, or a reminder.")}</p>
      <p class="muted small">{t("The notification itself contains no names, texts or amounts: the words are put together on this phone from the data it already has. You can turn notifications off here at any time.")}</p>
      {state === "unsupported" && <p class="muted" role="status">{t("This browser cannot show notifications.")}</p>}
      {state === "denied" && (
        <p class="error" role="status">{t("Notifications are blocked for this app. Allow them in the browser's site settings, then try again.")}</p>
      )}
      {failed && <p class="error" role="alert">{t("Notifications could not be turned on. Are you online? Please try again.")}</p>}
      {(state === "on" || state === "off") && (
        <button type="button" class={state === "on" ? "secondary" : "primary"} disabled={busy} onClick={toggle}
                data-testid="push-toggle">
          {state === "on" ? t("Turn notifications off") : t("Turn notifications on")}
        </button>
      )}
      {state === "on" && <p class="muted small" role="status" data-testid="push-on">{t("Notifications are on for this phone.")}</p>}
      <fieldset class="reminders" disabled={!profile}>
        <legend>{t("Reminders")}</legend>
        {REMINDER_KINDS.map((kind) => (
          <label key={kind} class="check">
            <input type="checkbox" checked={!muted.includes(kind)} data-testid={`reminder-${kind}`}
                   onChange={(e) => setReminder(kind, (e.target as HTMLInputElement).checked)} />
            {reminderLabel(kind)}
          </label>
        ))}
      </fieldset>
    </section>
  );
}
