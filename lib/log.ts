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
