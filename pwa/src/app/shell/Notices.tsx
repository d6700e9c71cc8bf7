// The app's own notices above every screen: "a new version is ready" and "install the app".
// Loaded by Banners.tsx only when there is something to say (on most starts there is not).
import { useEffect, useState } from "preact/hooks";

import { getMeta, setMeta } from "../../data/db";
import { t } from "../../shared/i18n";
import { screen } from "../router";
import { install, installOffer, isIosSafari, isStandalone } from "./install";
import { applyUpdate, updateReady } from "./serviceWorker";
import { unsavedInput } from "./unsaved";
import "./shell.css";

const ASK_AGAIN_MS = 7 * 24 * 3600_000;

function UpdatePrompt() {
  const blocked = unsavedInput.value;
  return (
    <aside class="update-prompt" aria-labelledby="update-title" data-testid="update-prompt">
      <div role="status">
        <p id="update-title"><strong>{t("A new version is ready.")}</strong></p>
        <p class="small">
          {blocked ? t("Save your entry first; then you can update.") : t("Your entries stay on this phone.")}
        </p>
      </div>
      {!blocked && (
        <button type="button" class="primary" onClick={() => applyUpdate()}>{t("Update now")}</button>
      )}
    </aside>
  );
}

/** The Share symbol of Safari (a square with an arrow up), so the guide recognises the button. */
function ShareIcon() {
  return (
    <svg class="share-icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
      <path d="M12 3v12M8 7l4-4 4 4M7 10H5v11h14V10h-2" />
    </svg>
  );
}

function InstallNotice({ onDismiss }: { onDismiss: () => void }) {
  const ios = isIosSafari();
  const offer = installOffer.value;
  if (!ios && !offer) return null;
  const notNow = ios ? (
    <button type="button" class="close" onClick={onDismiss} aria-label={t("Not now")} title={t("Not now")}>
      <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true"><path d="M6 6l12 12M18 6 6 18" /></svg>
    </button>
  ) : <button type="button" class="secondary" onClick={onDismiss}>{t("Not now")}</button>;
  return (
    <aside class="card install-notice" aria-labelledby="install-title" data-testid="install-notice">
      <div class="install-head">
        <h2 id="install-title">{ios ? t("Install Lotsenbuch on your iPhone") : t("Install Lotsenbuch")}</h2>
        {ios && notNow}
      </div>
      {ios ? (
        <>
          <p>{t("After 7 days without use, Safari may delete this app's data — including entries not yet sent. Installed on the home screen, they stay.")}</p>
          <ol class="install-steps">
            <li><ShareIcon /> {t("Tap the Share button in Safari.")}</li>
            <li>{t("Choose “Add to Home Screen”.")}</li>
            <li>{t("Open Lotsenbuch from the home screen.")}</li>
          </ol>
          <p class="small muted">
            {screen.value === "enroll"
              ? t("Install first, then enrol in the installed app: it keeps its own data.")
              : t("The installed app keeps its own data: sync here first, then enrol it with a new code from your coordination office.")}
          </p>
        </>
      ) : (
        <>
          <p>{t("Add the app to your home screen: it opens faster and works without a network.")}</p>
          <div class="install-actions">
            <button type="button" class="primary" onClick={() => void install()}>{t("Install")}</button>
            {notNow}
          </div>
        </>
      )}
    </aside>
  );
}

export function Notices() {
  const [dismissed, setDismissed] = useState(true);
  useEffect(() => {
    void getMeta("install_notice_dismissed_at").then(
      (at) => setDismissed(!!at && Date.now() - Date.parse(at) < ASK_AGAIN_MS),
      () => setDismissed(false),
    );
  }, []);
  const dismiss = () => {
    setDismissed(true);
    void setMeta("install_notice_dismissed_at", new Date().toISOString()).catch(() => {});
  };
  const where = screen.value;
  const offerInstall = !dismissed && !isStandalone() && (where === "today" || where === "enroll");
  // One notice at a time; the update, which only the guide can start, comes first.
  if (updateReady.value) return <div class="shell-banners"><UpdatePrompt /></div>;
  if (!offerInstall) return null;
  return <div class="shell-banners"><InstallNotice onDismiss={dismiss} /></div>;
}
