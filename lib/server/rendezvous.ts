import crypto from "node:crypto";

/**
 * Rendezvous (highest-random-weight) hashing: each id goes to the member with the highest
 * hash of (id, member). Every replica works it out alone from the same live set and agrees;
 * shares are even; and when a member leaves, only its ids move (each to whichever remaining
 * member ranked second for it), while a member that joins takes only the ids it now ranks first.
 */
function weight(id: string, member: string): number {
  // 48 bits of SHA-256: evenly spread, and collisions too rare to matter (ties go to the larger name).
  return crypto.createHash("sha256").update(id).update("\u0000").update(member).digest().readUIntBE(0, 6);
}

export function rendezvousOwner(id: string, members: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestWeight = -1;
  for (const member of members) {
    const w = weight(id, member);
    if (w > bestWeight || (w === bestWeight && best !== undefined && member > best)) {
      best = member;
      bestWeight = w;
    }
  }
  return best;
}
