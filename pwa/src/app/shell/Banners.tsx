// The place of the app's notices above every screen, rendered into their own root (#banners, main.tsx),
// so the screens need not know about them. Their code, styles and strings (Notices.tsx, shell.css and
// its catalog part) are fetched only when one may show: an update is waiting, or the app can be
// installed — on most starts neither, and the first screen does not carry them (bench/pwa_bench.py).
import { type ComponentType } from "preact";
import { signal } from "@preact/signals";

import { loadCatalogPart } from "../../shared/i18n";
import { installOffer, isIosSafari, isStandalone } from "./install";
import { updateReady } from "./serviceWorker";

const loaded = signal<ComponentType | null>(null);
let started = false;

export function Banners() {
  const mayShow = updateReady.value || (!isStandalone() && (!!installOffer.value || isIosSafari()));
  if (mayShow && !started) {
    started = true;
    void Promise.all([import("./Notices"), loadCatalogPart("Notices")]).then(([module]) => {
      loaded.value = module.Notices;
    });
  }
  const Notices = loaded.value;
  return Notices ? <Notices /> : null;
}
