// Pure: the response headers and the server-action gate that proxy.ts applies to every request.

/** The same limit as next.config.ts's serverActions.bodySizeLimit ("2mb"). */
export const ACTION_BODY_LIMIT_BYTES = 2 * 1024 * 1024;

/**
 * Scripts run only with this request's nonce ('strict-dynamic' lets those scripts load Next's
 * chunks), so injected markup can never execute. Styles keep 'unsafe-inline': React writes style
 * attributes (charts, widths) that a nonce cannot cover, and CSS cannot run code.
 */
export function contentSecurityPolicy(nonce: string, opts: { dev: boolean; https: boolean }): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${opts.dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(opts.https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

export function securityHeaders(nonce: string, opts: { dev: boolean; https: boolean }): Record<string, string> {
  return {
    "Content-Security-Policy": contentSecurityPolicy(nonce, opts),
    // Only when the public URL is https: HSTS over plain http would be ignored anyway, and a
    // wrong one would lock browsers out of an http-only test install for a year.
    ...(opts.https ? { "Strict-Transport-Security": "max-age=31536000; includeSubDomains" } : {}),
  };
}

export type ActionVerdict = { status: 403 | 413; message: string } | null;

type RequestFacts = { method: string; nextAction: string | null; origin: string | null; host: string | null; contentLength: string | null; publicUrl?: string };

/**
 * Server actions are POSTs carrying a `Next-Action` header. Next refuses a cross-site one by
 * throwing (a 500 and a stack trace in the log per request) and an oversized one likewise; here
 * they are answered for what they are: 403 for a foreign or `null` Origin, 413 past the body limit.
 * A missing Origin is left to Next, which accepts it as non-browser clients send none.
 */
export function checkActionRequest(r: RequestFacts): ActionVerdict {
  if (r.method !== "POST" || !r.nextAction) return null;
  if (r.origin !== null) {
    let originHost: string | null = null;
    try {
      originHost = r.origin === "null" ? null : new URL(r.origin).host;
    } catch {
      originHost = null;
    }
    const allowed = new Set([r.host, r.publicUrl ? safeHost(r.publicUrl) : null].filter(Boolean));
    if (!originHost || !allowed.has(originHost)) return { status: 403, message: "Cross-site request refused: this action only accepts requests from Fleetline's own pages." };
  }
  const length = Number(r.contentLength ?? "0");
  if (Number.isFinite(length) && length > ACTION_BODY_LIMIT_BYTES) {
    return { status: 413, message: `Request too large: the form sent ${(length / 1024 / 1024).toFixed(1)} MiB; the limit is 2 MiB.` };
  }
  return null;
}

function safeHost(url: string): string | null {
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}
