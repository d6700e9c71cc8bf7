import { type ComponentType } from "preact";
import { signal } from "@preact/signals";

import { wipeEverything } from "../data/db";
import { syncStatus } from "../data/sync";
import { t } from "../shared/i18n";
import { BottomNav } from "./components/BottomNav";
import { screen } from "./router";
import TodayScreen from "./today/TodayScreen";

/** A screen loaded on first use; Today (the daily first screen) is in the main bundle. */
function lazyScreen(load: () => Promise<{ default: ComponentType }>): ComponentType {
  const loaded = signal<ComponentType | null>(null);
  let started = false;
  return function LazyScreen() {
    if (!started) {
      started = true;
      void load().then((module) => (loaded.value = module.default));
    }
    const Screen = loaded.value;
    return Screen ? <Screen /> : null;
  };
}

const EnrollScreen = lazyScreen(() => import("./enroll/EnrollScreen"));
const LogScreen = lazyScreen(() => import("./log/LogScreen"));
const ExpensesScreen = lazyScreen(() => import("./expenses/ExpensesScreen"));
const AssignmentsScreen = lazyScreen(() => import("./assignments/AssignmentsScreen"));
const HistoryScreen = lazyScreen(() => import("./history/HistoryScreen"));
const SettingsScreen = lazyScreen(() => import("./settings/SettingsScreen"));

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
        : current === "settings" ? <SettingsScreen /> : <TodayScreen />}
      <BottomNav />
    </>
  );
}
