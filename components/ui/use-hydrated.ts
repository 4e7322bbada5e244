"use client";

import { useSyncExternalStore } from "react";

const subscribe = () => () => {};

/**
 * False in the server's HTML and while React hydrates, true after. Forms disable their controls
 * until then: a click on a server-rendered button before its handler exists either did nothing
 * (the wizard's Next) or submitted the form natively, losing what was typed.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(subscribe, () => true, () => false);
}
