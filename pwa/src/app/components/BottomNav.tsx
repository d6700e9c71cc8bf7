import { db } from "../../data/db";
import { unreadCount } from "../../data/messages";
import { t, tn } from "../../shared/i18n";
import { go, screen, type Screen } from "../router";
import "./nav.css";
import { useLive } from "./useLive";

const ICONS: Record<string, string> = {
  today: "M3 10.5 12 3l9 7.5V21h-6v-6H9v6H3z",
  log: "M12 5v14M5 12h14",
  expenses: "M6 3h12v18l-3-2-3 2-3-2-3 2zM9 8h6M9 12h6M9 16h3",
  assignments: "M9 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM3 20c0-3.3 2.7-6 6-6s6 2.7 6 6M16 5a3 3 0 0 1 0 6M18 14.5c1.8.6 3 2.7 3 5.5",
  history: "M4 6h16M4 12h16M4 18h10",
  messages: "M4 5h16v11H8l-4 4zM8 9h8M8 12h5",
  settings: "M12 8.5a3.5 3.5 0 1 0 0 7 3.5 3.5 0 0 0 0-7zM19 12l2-1.5-2-3.5-2.4.8-1.6-1L14.5 4h-5L9 6.8l-1.6 1L5 7 3 10.5 5 12l-2 1.5L5 17l2.4-.8 1.6 1 .5 2.8h5l.5-2.8 1.6-1L19 17l2-3.5z",
};

/** Offers waiting for the guide's answer (not answered on this phone yet). */
async function openOffers(): Promise<number> {
  const rows = await db.records.where("type").equals("assignment").toArray();
  return rows.filter((r) => {
    const data = r.data as { state?: string; offer_state?: string; response?: string | null };
    return !r.deleted && data.state === "offered" && data.offer_state === "offered" && !data.response;
  }).length;
}

/** Bottom navigation: seven targets, thumb-reachable; the current one is marked for screen readers. */
export function BottomNav() {
  const offers = useLive(openOffers, [], 0);
  const unread = useLive(unreadCount, [], 0);
  const items: [Screen, string][] = [
    ["today", t("Today")], ["log", t("Log")], ["expenses", t("Expenses")], ["assignments", t("Assignments")],
    ["history", t("History")], ["messages", t("Messages")], ["settings", t("Settings")],
  ];
  return (
    <nav class="bottom-nav" aria-label={t("Main navigation")}>
      {items.map(([id, label]) => (
        <button key={id} type="button" aria-current={screen.value === id ? "page" : undefined}
                onClick={() => go(id)} class={`nav-${id}`} data-testid={`nav-${id}`}>
          <svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true"><path d={ICONS[id]} /></svg>
          {id === "assignments" && offers > 0 && (
            <span class="nav-count" data-testid="offer-count" aria-hidden="true">{offers}</span>
          )}
          <span class="nav-label">{label}</span>
          {id === "assignments" && offers > 0 && (
            <span class="visually-hidden">, {t("New offers: {count}", { count: offers })}</span>
          )}
          {id === "messages" && unread > 0 && (
            <>
              <span class="nav-count" data-testid="unread-count" aria-hidden="true">{unread}</span>
              <span class="visually-hidden">, {tn("{count} unread message", "{count} unread messages", unread)}</span>
            </>
          )}
        </button>
      ))}
    </nav>
  );
}
