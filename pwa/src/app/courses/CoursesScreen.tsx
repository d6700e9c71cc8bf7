import { attendanceSheets, askToJoin, sessionsOf, setPresent, type Sheet, type UpcomingCourse,
  upcomingCourses } from "../../data/courses";
import { t, tn } from "../../shared/i18n";
import { formatDate, isolate, withUnit } from "../components/format";
import { useLive } from "../components/useLive";
import "../styles/lists.css";
import "./courses.css";

function kindLabel(kind: unknown, specialisation: unknown): string {
  const field = specialisation === "sport" ? t("Sport") : specialisation === "parents" ? t("Parents")
    : specialisation === "university" ? t("University") : specialisation === "vocational_training"
      ? t("Vocational training") : specialisation === "tolerance" ? t("Tolerance")
        : specialisation === "environment" ? t("Environment") : "";
  const base = kind === "basic" ? t("Basic qualification") : kind === "sustainability"
    ? t("Sustainability module") : t("Specialisation");
  return field ? `${base} · ${field}` : base;
}

function stateWord(state: unknown): string {
  switch (state) {
    case "requested": return t("Asked to join: your coordination office will answer");
    case "registered": return t("You are registered");
    case "declined": return t("Your request was turned down");
    default: return t("Your registration was withdrawn");
  }
}

function CourseCard({ item }: { item: UpcomingCourse }) {
  const { course, registration } = item;
  const d = course.data;
  const sessions = sessionsOf(course);
  const placesLeft = Number(d.places_left ?? 0);
  return (
    <li class="card course" data-testid="course" data-id={course.id}>
      <h3 dir="auto">{String(d.title ?? "")}</h3>
      <p class="muted small">{kindLabel(d.kind, d.specialisation)}{d.location ? ` · ${isolate(String(d.location))}` : ""}</p>
      <ul class="course-sessions">
        {sessions.map((s) => (
          <li key={`${s.date}${s.starts_at}`}>{formatDate(s.date)}{s.starts_at ? ` ${s.starts_at}` : ""} · {withUnit(s.minutes / 60, "h")}{s.topic ? ` · ${isolate(s.topic)}` : ""}</li>
        ))}
      </ul>
      {registration ? (
        <p class="badge" data-testid="course-state" data-state={String(registration.data.state ?? "requested")}>
          {registration.version === 0 ? t("Asked on this phone: sent with the next sync")
            : stateWord(registration.data.state)}
        </p>
      ) : (
        <>
          <p class="muted small">{tn("{count} place left", "{count} places left", placesLeft)}</p>
          <button type="button" class="secondary" data-testid="course-join" onClick={() => void askToJoin(course)}>
            {t("Ask to join")}
          </button>
        </>
      )}
    </li>
  );
}

function SheetCard({ sheet }: { sheet: Sheet }) {
  const present = sheet.lines.filter((l) => l.data.present === true).length;
  return (
    <li class="card sheet" data-testid="attendance-sheet">
      <h3 dir="auto">{sheet.title}</h3>
      <p class="muted small">{formatDate(sheet.date)}{sheet.startsAt ? ` ${sheet.startsAt}` : ""} · {withUnit(sheet.minutes / 60, "h")}</p>
      <ul class="checks">
        {sheet.lines.map((line) => {
          const name = String((line.data as Record<string, unknown>).participant_name ?? "");
          return (
            <li key={line.id}>
              <label>
                <input type="checkbox" data-testid="attendance-present" checked={line.data.present === true}
                       onChange={(e) => void setPresent(line, (e.target as HTMLInputElement).checked)} />
                <span dir="auto">{name}</span>
              </label>
            </li>
          );
        })}
      </ul>
      <p class="muted small" role="status">{tn("{count} present", "{count} present", present)}</p>
    </li>
  );
}

/** Upcoming qualification courses (ask to join) and, for a trainer, the attendance sheets, offline. */
export default function CoursesScreen() {
  const courses = useLive(() => upcomingCourses(), [], undefined);
  const sheets = useLive(attendanceSheets, [], []);
  return (
    <main class="screen courses">
      <header class="top"><h1>{t("Courses")}</h1></header>
      {sheets.length > 0 && (
        <section aria-labelledby="sheets-heading">
          <h2 id="sheets-heading">{t("Take attendance")}</h2>
          <p class="muted small">{t("You lead these courses. Tick who is there; it is saved on this phone and sent with the next sync.")}</p>
          <ul class="course-list">{sheets.map((s) => <SheetCard key={s.key} sheet={s} />)}</ul>
        </section>
      )}
      <section aria-labelledby="upcoming-heading">
        <h2 id="upcoming-heading">{t("Upcoming courses")}</h2>
        {courses && courses.length === 0 && <p class="card muted">{t("No upcoming courses at the moment.")}</p>}
        <ul class="course-list">{courses?.map((c) => <CourseCard key={c.course.id} item={c} />)}</ul>
      </section>
    </main>
  );
}
