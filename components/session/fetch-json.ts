/** Thrown for a 401: the session ended (expired, revoked, signed out elsewhere). */
export class SessionExpiredError extends Error {
  constructor() {
    super("Your session has ended. Sign in again.");
  }
}

/** fetch + JSON for polled endpoints: a 401 becomes SessionExpiredError, which the query client turns into a trip to /login. */
export async function fetchJson<T>(url: string, what: string): Promise<T> {
  const response = await fetch(url, { cache: "no-store" });
  if (response.status === 401) throw new SessionExpiredError();
  if (!response.ok) throw new Error(`${what} unavailable (${response.status})`);
  return (await response.json()) as T;
}
