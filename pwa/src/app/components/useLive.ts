import { liveQuery } from "dexie";
import { useEffect, useState } from "preact/hooks";

/** The result of a Dexie query, re-run whenever the tables it read change (any tab, sync included). */
export function useLive<T>(query: () => Promise<T>, deps: unknown[], initial: T): T {
  const [value, setValue] = useState<T>(initial);
  useEffect(() => {
    const subscription = liveQuery(query).subscribe({ next: setValue, error: () => {} });
    return () => subscription.unsubscribe();
  }, deps);
  return value;
}
