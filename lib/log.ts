import { formatWithOptions } from "node:util";
import { redact, redactText } from "@/lib/security/redact";

type Level = "debug" | "info" | "warn" | "error";

/** Structured one-line JSON logs; every message and field goes through redaction first. */
function write(level: Level, message: string, fields?: Record<string, unknown>) {
  const line = JSON.stringify({
    time: new Date().toISOString(),
    level,
    msg: redactText(message),
    ...(fields ? redact(fields) : {}),
  });
  if (level === "error" || level === "warn") console.error(line);
  else console.log(line);
}

export const log = {
  debug: (m: string, f?: Record<string, unknown>) => {
    if (process.env.LOG_LEVEL === "debug") write("debug", m, f);
  },
  info: (m: string, f?: Record<string, unknown>) => write("info", m, f),
  warn: (m: string, f?: Record<string, unknown>) => write("warn", m, f),
  error: (m: string, f?: Record<string, unknown>) => write("error", m, f),
};

export function errorMessage(e: unknown): string {
  return redactText(e instanceof Error ? e.message : String(e));
}

const CONSOLE_METHODS = ["log", "info", "warn", "error", "debug"] as const;

/**
 * Routes everything printed through `console` by code that is not ours (Next logs errors
 * thrown out of server actions and pages itself, with their messages and stacks) through the
 * same redaction as lib/log. Installed once at boot; returns a function that undoes it.
 */
export function installConsoleRedaction(): () => void {
  const originals = CONSOLE_METHODS.map((method) => [method, console[method]] as const);
  for (const [method, original] of originals) {
    console[method] = (...args: unknown[]) => original.call(console, redactText(formatWithOptions({ colors: false }, ...args)));
  }
  return () => {
    for (const [method, original] of originals) console[method] = original;
  };
}
