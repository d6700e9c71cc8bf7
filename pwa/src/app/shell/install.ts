// Is the app installed, and how can it be? Read once at start; no storage of its own.
//
// Android / Chromium fire `beforeinstallprompt` when the app is installable: we keep the event (and
// suppress the browser's own mini-infobar) so the app can offer its own "Install" button. iOS Safari
// has no such event: installing is Share → "Add to Home Screen", and until then Safari may delete the
// app's storage after 7 days without use — the notice explains both (Notices.tsx).
import { signal } from "@preact/signals";

interface BeforeInstallPromptEvent extends Event {
  prompt(): Promise<void>;
  readonly userChoice: Promise<{ outcome: "accepted" | "dismissed" }>;
}

/** The browser's install offer, while it is open. */
export const installOffer = signal<BeforeInstallPromptEvent | null>(null);

export function isStandalone(): boolean {
  return matchMedia("(display-mode: standalone)").matches
    || (navigator as Navigator & { standalone?: boolean }).standalone === true;
}

/** Safari on an iPhone or iPad (iPadOS reports itself as a Mac with a touch screen). */
export function isIosSafari(ua = navigator.userAgent): boolean {
  const ios = /iPhone|iPad|iPod/.test(ua) || (/Macintosh/.test(ua) && navigator.maxTouchPoints > 1);
  return ios && /Safari\//.test(ua) && !/CriOS|FxiOS|EdgiOS|OPiOS|GSA\//.test(ua);
}

/** Listen from the very start: the event may fire before the first screen is drawn. */
export function captureInstallOffer(): void {
  addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault();
    installOffer.value = event as BeforeInstallPromptEvent;
  });
  addEventListener("appinstalled", () => (installOffer.value = null));
}

/** Show the browser's install dialog; the offer is used up either way. */
export async function install(): Promise<void> {
  const offer = installOffer.value;
  if (!offer) return;
  installOffer.value = null;
  await offer.prompt();
  await offer.userChoice.catch(() => undefined);
}
