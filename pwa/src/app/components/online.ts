// "Will be sent when you are online" only while the phone is offline; online the entry goes out at once.
import { syncStatus } from "../../data/sync";

/** Read during render: `syncStatus` is a signal, so a notice follows the `offline`/`online` events. */
export function isOffline(): boolean {
  return syncStatus.value === "offline" || navigator.onLine === false;
}

/** Pick the offline or the online wording of a "saved on this phone" notice (both already translated). */
export function whenOffline(offline: string, online: string): string {
  return isOffline() ? offline : online;
}
