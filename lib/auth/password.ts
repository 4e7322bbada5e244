import crypto from "node:crypto";
import { promisify } from "node:util";

const scrypt = promisify(crypto.scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: crypto.ScryptOptions,
) => Promise<Buffer>;

// One of OWASP's equivalent scrypt settings: N=2^15, r=8, p=3 costs 32 MiB per hash instead of 128 MiB for N=2^17.
const PARAMS = { N: 32768, r: 8, p: 3, maxmem: 64 * 1024 * 1024 };
const KEY_LEN = 64;

export const PASSWORD_MIN_LENGTH = 12;

/**
 * Every scrypt call takes a slot first. Each costs 32 MiB and a libuv thread for ~100 ms, and the
 * login form is open to anyone: without a cap, a burst of anonymous attempts starves the thread
 * pool (DNS, file reads) and the memory of the whole server. Excess calls queue briefly, then fail.
 */
const HASH_CAP = 2;
const HASH_QUEUE_MAX = 64;
const HASH_WAIT_MS = 30_000;

export class HashingBusyError extends Error {
  constructor() {
    super("The server is busy checking other sign-ins. Try again in a moment.");
  }
}

type Waiter = { resolve: () => void; timer: NodeJS.Timeout };
// Shared through globalThis: Next may load this module once per bundle in the same process.
const gate = ((globalThis as unknown as { fleetlineHashGate?: { active: number; peak: number; started: number; queue: Waiter[] } }).fleetlineHashGate ??= {
  active: 0,
  peak: 0,
  started: 0,
  queue: [],
});

async function withHashSlot<T>(work: () => Promise<T>): Promise<T> {
  if (gate.active >= HASH_CAP) {
    if (gate.queue.length >= HASH_QUEUE_MAX) throw new HashingBusyError();
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        timer: setTimeout(() => {
          gate.queue.splice(gate.queue.indexOf(waiter), 1);
          reject(new HashingBusyError());
        }, HASH_WAIT_MS),
      };
      gate.queue.push(waiter);
    });
  } else {
    gate.active++;
  }
  // Here this call holds a slot (a releasing caller handed its own over without decrementing).
  gate.peak = Math.max(gate.peak, gate.active);
  gate.started++;
  try {
    return await work();
  } finally {
    const next = gate.queue.shift();
    if (next) {
      clearTimeout(next.timer);
      next.resolve();
    } else {
      gate.active--;
    }
  }
}

/** For tests and benchmarks: slots in use, the most ever in use, hashes started, and the cap. */
export function hashingStats() {
  return { active: gate.active, peak: gate.peak, started: gate.started, cap: HASH_CAP };
}

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const hash = await withHashSlot(() => scrypt(password.normalize("NFKC"), salt, KEY_LEN, PARAMS));
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString("base64")}$${hash.toString("base64")}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64");
  const actual = await withHashSlot(() =>
    scrypt(password.normalize("NFKC"), Buffer.from(salt, "base64"), expected.length, {
      N: Number(n),
      r: Number(r),
      p: Number(p),
      maxmem: PARAMS.maxmem,
    }),
  );
  return crypto.timingSafeEqual(actual, expected);
}

// Verifying against this keeps the response time the same whether or not the account exists.
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(crypto.randomBytes(16).toString("hex")).catch((e: unknown) => {
    dummyHash = undefined; // a busy refusal must not stick
    throw e;
  });
  return dummyHash;
}
