import { useState } from "preact/hooks";

import { db, wipeEverything } from "../../data/db";
import { forgetPush } from "../../data/push";
import { syncNow } from "../../data/sync";
import { t, tn } from "../../shared/i18n";
import { LanguagePicker } from "../components/LanguagePicker";
import { useLive } from "../components/useLive";
import { Notifications } from "./Notifications";
import "../styles/forms.css";

/** Language, notifications and reminders, and sign-out (for shared phones): refuses while entries wait, unless confirmed twice. */
export default function SettingsScreen() {
  const waiting = useLive(() => db.outbox.count(), [], 0);
  const [step, setStep] = useState(0);

  const signOut = async () => {
    if (waiting > 0 && step < 2) {
      setStep(step + 1);
      return;
    }
    if (waiting === 0 && !confirm(t("Sign out and delete all data of this app from this phone?"))) return;
    await forgetPush(); // no more notifications for a phone that is passed on
    await wipeEverything();
    location.replace("/enroll");
  };

  return (
    <main class="screen settings">
      <header class="top">
        <h1>{t("Settings")}</h1>
      </header>
      <section class="card">
        <h2>{t("Language")}</h2>
        <LanguagePicker />
      </section>
      <Notifications />
      <section class="card">
        <h2>{t("Sign out")}</h2>
        <p>{t("Signing out deletes all data of this app from this phone, for example before passing the phone on.")}</p>
        {waiting > 0 && step >= 1 && (
          <div class="error" role="alert">
            <p>{tn("{count} change has not been sent yet. If you sign out now, it is lost.",
              "{count} changes have not been sent yet. If you sign out now, they are lost.", waiting)}</p>
            <button type="button" class="secondary" onClick={() => { setStep(0); void syncNow(); }}>{t("Sync first")}</button>
          </div>
        )}
        <button type="button" class="danger" onClick={signOut}>
          {waiting > 0 && step === 1 ? t("Sign out anyway")
            : waiting > 0 && step === 2 ? t("Yes, delete the unsent changes and sign out") : t("Sign out")}
        </button>
      </section>
    </main>
  );
}
