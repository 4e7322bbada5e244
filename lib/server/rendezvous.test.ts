import { describe, expect, it } from "vitest";
import { rendezvousOwner } from "./rendezvous";

// The share each replica observes: balanced, agreed by everyone from the live set alone, and
// when a replica dies only its clusters move.
const ids = Array.from({ length: 10_000 }, (_, i) => `cluster-${i}-${(i * 2654435761) % 1000003}`);
const shares = (members: readonly string[]) => {
  const count = new Map(members.map((m) => [m, 0]));
  const owner = new Map<string, string>();
  for (const id of ids) {
    const m = rendezvousOwner(id, members)!;
    owner.set(id, m);
    count.set(m, (count.get(m) ?? 0) + 1);
  }
  return { count, owner };
};

describe("rendezvous shares", () => {
  it.each([2, 3, 4, 5])("%i replicas get shares within 10%% of an even split of 10,000 ids", (n) => {
    const members = Array.from({ length: n }, (_, i) => `replica-${i}`);
    const { count } = shares(members);
    const even = ids.length / n;
    for (const c of count.values()) expect(Math.abs(c - even) / even).toBeLessThan(0.1);
    expect([...count.values()].reduce((a, b) => a + b, 0)).toBe(ids.length);
  });

  it("does not depend on the order replicas are listed in", () => {
    for (const id of ids.slice(0, 500)) expect(rendezvousOwner(id, ["a", "b", "c"])).toBe(rendezvousOwner(id, ["c", "a", "b"]));
  });

  it.each([2, 3, 5])("when one of %i replicas dies, only its ids move, spread over the others", (n) => {
    const members = Array.from({ length: n }, (_, i) => `host-${i}-${1000 + i}-abc`);
    const before = shares(members);
    const dead = members[1]!;
    const after = shares(members.filter((m) => m !== dead));
    let moved = 0;
    const receivers = new Set<string>();
    for (const id of ids) {
      if (before.owner.get(id) === dead) {
        moved++;
        receivers.add(after.owner.get(id)!);
      } else expect(after.owner.get(id)).toBe(before.owner.get(id));
    }
    expect(moved).toBe(before.count.get(dead));
    expect(receivers.size).toBe(n - 1);
  });

  it("a replica that joins takes only the ids it now ranks first, about its fair share", () => {
    const before = shares(["a", "b", "c"]);
    const after = shares(["a", "b", "c", "d"]);
    let moved = 0;
    for (const id of ids) {
      if (after.owner.get(id) === "d") moved++;
      else expect(after.owner.get(id)).toBe(before.owner.get(id));
    }
    expect(Math.abs(moved - ids.length / 4) / (ids.length / 4)).toBeLessThan(0.1);
  });

  it("no replicas: no owner", () => {
    expect(rendezvousOwner("x", [])).toBeUndefined();
  });
});
