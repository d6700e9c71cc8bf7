import { t } from "../../shared/i18n";
import { enrolment } from "../router";

/** Placeholder until the logbook screens arrive: proves enrolment worked and whose phone this is. */
export default function TodayScreen() {
  const guide = enrolment.value?.guide;
  const organization = enrolment.value?.organization;
  const name = typeof guide?.name === "string" ? guide.name : "";
  return (
    <main class="screen today">
      <header class="top">
        <h1>{t("Today")}</h1>
      </header>
      <p class="lead">{name ? t("Hello, {name}!", { name }) : t("Hello!")}</p>
      {typeof organization?.name === "string" && (
        <p>{t("This phone is enrolled with {organization}.", { organization: organization.name })}</p>
      )}
      <p class="card muted">{t("Your meetings, times and expenses will appear here.")}</p>
    </main>
  );
}
