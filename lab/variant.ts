/**
 * Variants per student: a seed taken from the student's name picks the details of an exercise
 * (a subject, a folder, where the message sits), so two students get different tasks and one
 * cannot hand in the other's answers, while the same student always gets the same task.
 *
 * @module
 */

/** Picks from lists the same way every time for the same seed. */
export interface Variant {
  /** The seed it was made from (`""` for the default variant). */
  readonly seed: string;
  /**
   * Picks one item.
   *
   * @param items The choices, at least one.
   * @returns One of them.
   */
  pick<T>(items: readonly T[]): T;
  /**
   * A whole number from `min` to `max`, both included.
   *
   * @param min The smallest.
   * @param max The largest.
   * @returns The number.
   */
  between(min: number, max: number): number;
}

/**
 * The variant for a seed. The empty seed is the default variant: every pick takes the first
 * item and every number the smallest, so the course's examples read as written.
 *
 * @param seed The student's name (case and surrounding spaces do not matter), or `""`.
 * @returns The variant.
 *
 * @example The same name, the same task; the default picks the first
 * ```ts
 * import assert from "node:assert/strict";
 * import { variantFor } from "./variant.ts";
 *
 * const subjects = ["Ketchup recipe", "Crêpe batter", "Pickle brine", "Mustard seeds"];
 * assert.equal(variantFor("Kim Minji").pick(subjects), variantFor(" kim minji ").pick(subjects));
 * assert.equal(variantFor("").pick(subjects), "Ketchup recipe");
 * assert.equal(variantFor("").between(2, 5), 2);
 * ```
 */
export function variantFor(seed: string): Variant {
  const key = seed.trim().toLowerCase();
  // FNV-1a of the seed starts a mulberry32 generator: small, and the same on every machine.
  let state = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(key)) {
    state = Math.imul(state ^ byte, 0x01000193) >>> 0;
  }
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const index = (count: number) => key === "" ? 0 : Math.floor(next() * count);
  return {
    seed: key,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new RangeError("Cannot pick from an empty list");
      return items[index(items.length)];
    },
    between(min: number, max: number): number {
      return min + index(max - min + 1);
    },
  };
}
