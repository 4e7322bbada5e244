import { NextResponse, type NextRequest } from "next/server";
import { checkActionRequest, securityHeaders } from "@/lib/security/http-policy";

/**
 * In front of every page, route handler and server action: a fresh CSP nonce per request (Next
 * reads it from the request's Content-Security-Policy header and puts it on its own scripts), HSTS
 * when the public URL is https, and 403/413 for cross-site or oversized server-action posts.
 */
export function proxy(request: NextRequest) {
  const publicUrl = process.env.NEXTAUTH_URL;
  const verdict = checkActionRequest({
    method: request.method,
    nextAction: request.headers.get("next-action"),
    origin: request.headers.get("origin"),
    host: request.headers.get("x-forwarded-host") ?? request.headers.get("host"),
    contentLength: request.headers.get("content-length"),
    publicUrl,
  });
  if (verdict) {
    return new NextResponse(verdict.message, { status: verdict.status, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });
  }
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString("base64");
  const headers = securityHeaders(nonce, { dev: process.env.NODE_ENV === "development", https: (publicUrl ?? "").startsWith("https://") });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("Content-Security-Policy", headers["Content-Security-Policy"]!);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

export const config = {
  matcher: [{ source: "/((?!_next/static|_next/image|favicon.ico).*)" }],
};
