import { useSignal } from "@preact/signals";

import { EnrolError, enrol, normalizeCode } from "../../data/enrol";
import { locale, t } from "../../shared/i18n";
import { LanguagePicker } from "../components/LanguagePicker";
import { enrolment, go, initialEnrolCode } from "../router";
import "../styles/forms.css";

/** The text for an error code from POST /api/v1/enroll (or from data/enrol.ts itself). */
function errorText(code: string): string {
  switch (code) {
    case "offline":
      return t("You are offline. Enrolling needs an internet connection once; please try again when you are online.");
    case "invalid_code":
    case "not_found":
    case "unauthorized":
      return t("This enrolment code is not valid. Please check it, or ask your coordination office for a new one.");
    case "code_expired":
    case "expired":
      return t("This enrolment code has expired. Please ask your coordination office for a new one.");
    case "code_used":
    case "already_used":
      return t("This enrolment code has already been used. Please ask your coordination office for a new one.");
    case "invalid":
    case "bad_request":
      return t("Please check the enrolment code.");
    case "rate_limited":
      return t("Too many attempts. Please wait a moment and try again.");
    case "forbidden":
      return t("This account cannot enrol a phone. Please ask your coordination office.");
    default:
      return t("Enrolling did not work. Please try again, or ask your coordination office.");
  }
}

export default function EnrollScreen() {
  const initialCode = initialEnrolCode;
  const code = useSignal(initialCode);
  const error = useSignal("");
  const busy = useSignal(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy.value) return;
    if (normalizeCode(code.value).length === 0) {
      error.value = "empty";
      return;
    }
    busy.value = true;
    error.value = "";
    try {
      enrolment.value = await enrol(code.value, locale.value);
      go("today");
    } catch (exc) {
      error.value = exc instanceof EnrolError ? exc.code : "unknown";
    } finally {
      busy.value = false;
    }
  };

  return (
    <main class="screen enroll">
      <header class="top">
        <h1>Lotsenbuch</h1>
        <LanguagePicker />
      </header>
      <p class="lead">
        {t("Your logbook as an integration guide: meetings, time spent and expenses — also without a network.")}
      </p>
      <p>{t("To start, enter the enrolment code you received from your coordination office.")}</p>
      <form class="card" onSubmit={submit} noValidate>
        <label for="code">{t("Enrolment code")}</label>
        <input
          id="code"
          name="code"
          class="code"
          dir="ltr"
          value={code.value}
          onInput={(e) => (code.value = e.currentTarget.value)}
          placeholder="ABCD-EFGH-JKMN"
          autocomplete="one-time-code"
          autocapitalize="characters"
          autocorrect="off"
          spellcheck={false}
          enterkeyhint="go"
          maxLength={40}
          aria-invalid={error.value ? "true" : undefined}
          aria-describedby={error.value ? "code-error" : undefined}
        />
        {error.value && (
          <p id="code-error" class="error" role="alert">
            {error.value === "empty" ? t("Please enter the enrolment code.") : errorText(error.value)}
          </p>
        )}
        <button type="submit" class="primary" data-testid="enrol-submit" disabled={busy.value}>
          {busy.value ? t("Enrolling…") : t("Enrol this phone")}
        </button>
      </form>
    </main>
  );
}
