import { t } from "../../shared/i18n";
import { go, screen, type Screen } from "../router";

const ICONS: Record<string, string> = {
  today: "M3 10.5 12 3l9 7.5V21h-6v-6H9v6H3z",
  log: "M12 5v14M5 12h14",
  history: "M4 6h16M4 12h16M4 18h10",
  settings: "M12 8.5a3.5 3.5 0 1 0 0 7 3.5 3.5 0 0 0 0-7zM19 12l2-1.5-2-3.5-2.4.8-1.6-1L14.5 4h-5L9 6.8l-1.6 1L5 7 3 10.5 5 12l-2 1.5L5 17l2.4-.8 1.6 1 .5 2.8h5l.5-2.8 1.6-1L19 17l2-3.5z",
};

/** Bottom navigation: four big targets, thumb-reachable; the current one is marked for screen readers. */
export function BottomNav() {
  const items: [Screen, string][] = [
    ["today", t("Today")], ["log", t("Log")], ["history", t("History")], ["settings", t("Settings")],
  ];
  return (
    <nav class="bottom-nav" aria-label={t("Main navigation")}>
      {items.map(([id, label]) => (
        <button key={id} type="button" aria-current={screen.value === id ? "page" : undefined}
                onClick={() => go(id)}>
          <svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true"><path d={ICONS[id]} /></svg>
          <span>{label}</span>
        </button>
      ))}
    </nav>
  );
}
