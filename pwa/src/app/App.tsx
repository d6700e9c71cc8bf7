import { type ComponentType } from "preact";
import { signal } from "@preact/signals";

import { wipeEverything } from "../data/db";
import { syncStatus } from "../data/sync";
import { loadCatalogPart, t } from "../shared/i18n";
import { BottomNav } from "./components/BottomNav";
import { screen } from "./router";
import TodayScreen from "./today/TodayScreen";

/**
 * A screen loaded on first use, with its part of the catalog; Today (the daily first screen) is in the
 * main bundle. `name` is the screen's chunk name (its file name), which names the catalog part.
 */
function lazyScreen(name: string, load: () => Promise<{ default: ComponentType }>): ComponentType {
  const loaded = signal<ComponentType | null>(null);
  let started = false;
  return function LazyScreen() {
    if (!started) {
      started = true;
      void Promise.all([load(), loadCatalogPart(name)]).then(([module]) => (loaded.value = module.default));
    }
    const Screen = loaded.value;
    return Screen ? <Screen /> : null;
  };
}

const EnrollScreen = lazyScreen("EnrollScreen", () => import("./enroll/EnrollScreen"));
const LogScreen = lazyScreen("LogScreen", () => import("./log/LogScreen"));
const ExpensesScreen = lazyScreen("ExpensesScreen", () => import("./expenses/ExpensesScreen"));
const AssignmentsScreen = lazyScreen("AssignmentsScreen", () => import("./assignments/AssignmentsScreen"));
const HistoryScreen = lazyScreen("HistoryScreen", () => import("./history/HistoryScreen"));
const MessagesScreen = lazyScreen("MessagesScreen", () => import("./messages/MessagesScreen"));
const CoursesScreen = lazyScreen("CoursesScreen", () => import("./courses/CoursesScreen"));
const SettingsScreen = lazyScreen("SettingsScreen", () => import("./settings/SettingsScreen"));
const MoneyScreen = lazyScreen("MoneyScreen", () => import("./money/MoneyScreen"));

/** The server said this phone was revoked: tell the guide, then wipe the phone. */
function Revoked() {
  const wipe = async () => {
    await wipeEverything();
    location.replace("/enroll");
  };
  return (
    <main class="screen">
      <div class="card" role="alertdialog" aria-labelledby="revoked-title">
        <h1 id="revoked-title">{t("This phone was signed out")}</h1>
        <p>{t("Your coordination office has removed this phone from your account. For your protection, the data on this phone will now be deleted.")}</p>
        <button type="button" class="primary" onClick={wipe}>{t("OK, delete the data")}</button>
      </div>
    </main>
  );
}

export function App() {
  if (syncStatus.value === "revoked") return <Revoked />;
  const current = screen.value;
  if (current === "enroll") return <EnrollScreen />;
  return (
    <>
      {current === "log" ? <LogScreen /> : current === "history" ? <HistoryScreen />
        : current === "expenses" ? <ExpensesScreen /> : current === "assignments" ? <AssignmentsScreen />
        : current === "messages" ? <MessagesScreen /> : current === "money" ? <MoneyScreen />
        : current === "courses" ? <CoursesScreen />
        : current === "settings" ? <SettingsScreen /> : <TodayScreen />}
      <BottomNav />
    </>
  );
}
