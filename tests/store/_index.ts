// Helpers for tests that make a folder's index end where they want it to.

/**
 * Appends records to a folder's index until the file ends exactly at a multiple of `boundary`
 * bytes: a page's end (so that the next append needs a page of its own, and on a full disk finds
 * none) or a file size limit (so that the next append goes past it). The records are `d` lines
 * with the times `new/` and `cur/` have now, as the store itself writes them (zeros in front
 * make the lengths come out), so the store reads them and finds the folder as it left it.
 *
 * @param folder The Maildir folder.
 * @param boundary Where the file is to end, in bytes.
 */
export function fillIndexTo(folder: string, boundary: number): void {
  const path = `${folder}/toolkit-index`;
  const mtime = (half: string) => String(Deno.lstatSync(`${folder}/${half}`).mtime!.getTime());
  const [n, c] = [mtime("new"), mtime("cur")];
  const size = Deno.lstatSync(path).size;
  let target = boundary - size % boundary;
  if (target < 150) target += boundary; // room for records of 30 to 36 bytes to sum up to it
  const count = Math.ceil(target / (4 + 16 + 16));
  let extra = target - count * (4 + n.length + c.length);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const pad = Math.min(extra, 32 - n.length - c.length);
    extra -= pad;
    const left = Math.min(pad, 16 - n.length);
    lines.push(`d ${n.padStart(n.length + left, "0")} ${c.padStart(c.length + pad - left, "0")}\n`);
  }
  Deno.writeTextFileSync(path, lines.join(""), { append: true });
  const after = Deno.lstatSync(path).size;
  if (after % boundary !== 0 || extra !== 0) {
    throw new Error(`Index does not end at a boundary: ${after} bytes`);
  }
}
