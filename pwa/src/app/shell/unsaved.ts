// "Is something half-typed on screen?" — one signal the whole app can read, set by the form screens.
//
// The update flow (serviceWorker.ts) reads it so that a new version is never activated, and the page
// never reloaded, while a guide is in the middle of an entry (docs/ARCHITECTURE.md §4.7). A form screen calls
// `useUnsavedInput("<screen>", dirty)`; the mark is removed when the screen unmounts (saved, or left).
import { computed, signal } from "@preact/signals";
import { useEffect } from "preact/hooks";

const owners = signal<ReadonlySet<string>>(new Set());

/** True while any form on screen holds input that is not saved yet. */
export const unsavedInput = computed(() => owners.value.size > 0);

export function setUnsaved(owner: string, dirty: boolean): void {
  if (owners.value.has(owner) === dirty) return;
  const next = new Set(owners.value);
  if (dirty) next.add(owner);
  else next.delete(owner);
  owners.value = next;
}

/** In a form screen: mark `owner` as holding unsaved input while `dirty`; cleared on unmount. */
export function useUnsavedInput(owner: string, dirty: boolean): void {
  useEffect(() => setUnsaved(owner, dirty), [owner, dirty]);
  useEffect(() => () => setUnsaved(owner, false), [owner]);
}
