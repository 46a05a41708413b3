/**
 * Group commit. Deliveries to one folder take turns, and each turn waits for the disk (fsync) a
 * few times; with sixteen senders at once, fifteen stand in line while one waits. A group gathers
 * every delivery that arrives while the folder's turn is busy and commits them in the next turn
 * together: one directory sync and one index write for all of them, and their files written side
 * by side. Each sender still hears "stored" only after its message is on disk.
 *
 * A group that fails as a whole (one message's keywords do not fit, the disk fills) fails every
 * member with {@linkcode GroupFailedError}, so that each can try again on its own and get its own
 * answer; a group of one fails with its own error.
 *
 * @module
 */

/** A group's commit failed; the member may try again alone. */
export class GroupFailedError extends Error {
  /**
   * @param cause Why the group failed.
   */
  constructor(cause: unknown) {
    super("The group commit failed", { cause });
    this.name = "GroupFailedError";
  }
}

interface Member<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Groups of work by key: an item joins the open group of its key, or opens one.
 *
 * @typeParam T What is committed.
 * @typeParam R What each item's commit gives back.
 *
 * @example Three deliveries, one commit
 * ```ts
 * import assert from "node:assert/strict";
 * import { GroupCommit } from "./group_commit.ts";
 *
 * const commits: string[][] = [];
 * const groups = new GroupCommit<string, number>();
 * // The commit starts later (after the folder's turn); whoever came by then is in the group.
 * const commit = async (take: () => string[]) => {
 *   await Promise.resolve();
 *   const items = take();
 *   commits.push(items);
 *   return items.map((item) => item.length);
 * };
 * const sizes = await Promise.all(["a", "bb", "ccc"].map((item) => groups.add("INBOX", item, commit)));
 * assert.deepEqual(sizes, [1, 2, 3]);
 * assert.deepEqual(commits, [["a", "bb", "ccc"]]);
 * ```
 */
export class GroupCommit<T, R> {
  #open = new Map<string, Member<T, R>[]>();

  /**
   * Adds an item to its key's open group. When it opens the group, `commit` is called (at once)
   * and must call `take` when its turn has come: from then on, newcomers open the next group.
   *
   * @param key What groups share: a folder's path.
   * @param item The work.
   * @param commit Commits a group: gets its items from `take`, returns one result per item, in
   *   order.
   * @returns The item's result.
   * @throws {GroupFailedError} When a group of more than one failed.
   */
  add(key: string, item: T, commit: (take: () => T[]) => Promise<R[]>): Promise<R> {
    const open = this.#open.get(key);
    if (open) return new Promise((resolve, reject) => open.push({ item, resolve, reject }));
    const group: Member<T, R>[] = [];
    this.#open.set(key, group);
    const close = () => {
      if (this.#open.get(key) === group) this.#open.delete(key);
    };
    const take = () => {
      close();
      return group.map((member) => member.item);
    };
    const result = new Promise<R>((resolve, reject) => group.push({ item, resolve, reject }));
    commit(take).then(
      (results) => group.forEach((member, i) => member.resolve(results[i])),
      (error) => {
        close();
        const reason = group.length === 1 ? error : new GroupFailedError(error);
        for (const member of group) member.reject(reason);
      },
    );
    return result;
  }
}
