import { type ComponentType } from "preact";
import { signal } from "@preact/signals";

import { EnrollScreen } from "./enroll/EnrollScreen";
import { screen } from "./router";

/** A screen loaded on first use, so the first screen's bundle carries only the enrolment screen. */
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

const TodayScreen = lazyScreen(() => import("./today/TodayScreen"));

export function App({ initialCode }: { initialCode: string }) {
  switch (screen.value) {
    case "today":
      return <TodayScreen />;
    default:
      return <EnrollScreen initialCode={initialCode} />;
  }
}
