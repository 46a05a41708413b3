// Output hygiene of the HTTP interface: an attachment's download names the file and the type the
// message gives, whatever the sender put there (quotes, CR LF and a header after them, NUL,
// apostrophes and parentheses, 8-bit bytes), in a Content-Disposition that follows RFC 6266 and
// RFC 5987 and a Content-Type that is a media type; the answer is a clean 200, never a 500 and
// never a second header.
import assert from "node:assert/strict";
import { WebClient, webLab } from "../http/_web.ts";

/** Attachments whose names and types are hostile, as header fields of one part each. */
const PARTS = [
  "Content-Type: text/plain\r\n" +
  "Content-Disposition: attachment; filename*=UTF-8''a%22%0D%0ASet-Cookie%3A%20x%3D1.txt",
  'Content-Type: text/plain\r\nContent-Disposition: attachment; filename="a\\"\r\n Set-Cookie: x=1.txt"',
  'Content-Type: application/pdf; name="=?UTF-8?Q?it\'s_(1)*_100%25=0D=0A.pdf?="',
  "Content-Type: application/octet-stream\r\n" +
  "Content-Disposition: attachment; filename*=UTF-8''%E2%80%AE%00evil%7F%5C.txt",
  'Content-Type: text/html; charset="utf-8\\"; x=\r\n\ty"; name="a\\";b.html"',
  'Content-Type: te"xt/pl ain; name="odd type.bin"',
  "Content-Type: image/png; name=caf\xe9.png",
];

function hostileMessage(): Uint8Array {
  const parts = PARTS.map((header) => `--b\r\n${header}\r\n\r\ncontent\r\n`).join("");
  const text = 'Subject: files\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n' +
    `--b\r\nContent-Type: text/plain\r\n\r\nSee the files.\r\n${parts}--b--\r\n`;
  // The last part's name holds a latin-1 byte, as old mailers write them.
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
}

// RFC 6266 §4.1 with RFC 5987 §3.2.1: a quoted ASCII fallback without `"`, `\` or `%`, then
// ext-value = charset "'" [language] "'" value-chars, value-chars = *(pct-encoded / attr-char).
const DISPOSITION =
  /^attachment; filename="([\x20\x21\x23\x24\x26-\x5b\x5d-\x7e]*)"; filename\*=UTF-8''((?:[A-Za-z0-9!#$&+\-.^_`|~]|%[0-9A-F]{2})*)$/;
// RFC 6838 §4.2: type-name "/" subtype-name, restricted-name characters only.
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/;

interface Read {
  attachments: { index: number; filename: string; contentType: string }[];
}

Deno.test("HTTP serves attachments with hostile names and types as clean downloads", async () => {
  await using lab = await webLab();
  const uid = await lab.hamburger.store.deliver("bob", hostileMessage());
  const bob = await WebClient.login(lab.hamburger, "bob", "pickles");
  const read = await bob.json<Read>(`/api/mailboxes/INBOX/messages/${uid}`);
  assert.equal(read.attachments.length, PARTS.length);
  for (const attachment of read.attachments) {
    const path = `/api/mailboxes/INBOX/messages/${uid}/attachments/${attachment.index}`;
    const response = await bob.get(path);
    const what = `${attachment.index} ${JSON.stringify(attachment.filename)}`;
    assert.equal(response.status, 200, `${what}: ${await response.clone().text()}`);
    assert.equal(await response.text(), "content");
    assert.equal(response.headers.get("set-cookie"), null, what);
    assert.equal(response.headers.get("x"), null, what);
    const type = response.headers.get("content-type")!;
    assert.match(type, MEDIA_TYPE, what);
    const disposition = response.headers.get("content-disposition")!;
    const parsed = DISPOSITION.exec(disposition);
    assert.ok(parsed, `${what}: ${disposition}`);
    // The encoded name is the file's name, exactly; the fallback is as long, in ASCII.
    assert.equal(decodeURIComponent(parsed[2]), attachment.filename.toWellFormed(), what);
    assert.equal(parsed[1].length, [...attachment.filename].length, what);
  }
  const names = read.attachments.map((a) => a.filename);
  assert.ok(names.includes('a"\r\nSet-Cookie: x=1.txt'), JSON.stringify(names));
  assert.ok(names.includes("it's (1)* 100%25\r\n.pdf"), JSON.stringify(names));
});
