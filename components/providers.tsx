"use client";

import { QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { SessionExpiredError } from "@/components/session/fetch-json";

/**
 * A 401 from any query means the session is gone: stop every poll (an open dashboard would
 * otherwise ask every 5 s forever) and send the browser to the login page, back here afterwards.
 */
let leaving = false;
function onSessionExpired(client: QueryClient) {
  if (leaving) return;
  leaving = true;
  void client.cancelQueries();
  const back = window.location.pathname + window.location.search;
  // A full load on purpose: nothing of the ended session's client state may survive.
  // eslint-disable-next-line @next/next/no-location-assign-relative-destination
  window.location.assign(`/login?callbackUrl=${encodeURIComponent(back)}`);
}

export function Providers({ children }: { children: ReactNode }) {
  // One client per browser tab; created in state so a re-render never replaces it.
  const [client] = useState(() => {
    const queryClient: QueryClient = new QueryClient({
      queryCache: new QueryCache({
        onError: (error) => {
          if (error instanceof SessionExpiredError) onSessionExpired(queryClient);
        },
      }),
      defaultOptions: {
        queries: {
          staleTime: 5_000,
          refetchOnWindowFocus: true,
          retry: (failures, error) => !(error instanceof SessionExpiredError) && failures < 1,
        },
      },
    });
    return queryClient;
  });
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}
