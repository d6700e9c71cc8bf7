/** What the network does with the phone's next requests (test/setup.ts routes `fetch` through it). */

export type Fate = "ok" | "drop_request" | "drop_response";

export const network = {
  fates: [] as Fate[],
  /** Requests to /api/v1/sync that reached the server, since the last reset. */
  syncCalls: 0,
  /** The next requests suffer these fates, in order; then all go through again. */
  then(...fates: Fate[]): void {
    this.fates.push(...fates);
  },
  /** No network at all, as the browser reports it (`navigator.onLine`) and as fetch finds it. */
  online: true,
  setOnline(online: boolean): void {
    this.online = online;
    (globalThis.navigator as { onLine: boolean }).onLine = online;
  },
  next(path: string): Fate | "offline" {
    if (!this.online) return "offline";
    const fate = this.fates.shift() ?? "ok";
    if (path === "/api/v1/sync" && fate !== "drop_request") this.syncCalls += 1;
    return fate;
  },
  reset(): void {
    this.fates = [];
    this.syncCalls = 0;
    this.setOnline(true);
  },
};
