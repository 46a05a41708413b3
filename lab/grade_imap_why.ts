/**
 * Why a step of the IMAP-client assignment failed, in English and in Korean, each explanation
 * written once and citing its RFC.
 *
 * @module
 */
import type { Why } from "./grade_why.ts";

/**
 * Every explanation the IMAP grader gives, by what went wrong.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IMAP_WHY } from "./grade_imap_why.ts";
 *
 * assert.match(IMAP_WHY.peek.en, /BODY\.PEEK/);
 * assert.match(IMAP_WHY.peek.ko, /\\Seen/);
 * ```
 */
export const IMAP_WHY = {
  notConnected: {
    en: "The program never connected to IMAP_HOST:IMAP_PORT, so there is no dialog to grade.",
    ko: "프로그램이 IMAP_HOST:IMAP_PORT에 한 번도 접속하지 않아서 채점할 대화가 없습니다.",
  },
  spokeFirst: {
    en:
      "An IMAP server greets first with an untagged OK (RFC 9051 §7.1.1, RFC 3501 §7.1.1): the client reads it before sending its first command.",
    ko:
      "IMAP 서버가 태그 없는 OK 인사말로 먼저 말합니다(RFC 9051 §7.1.1, RFC 3501 §7.1.1). 클라이언트는 그것을 읽은 뒤에 첫 명령을 보냅니다.",
  },
  noLogin: {
    en:
      "The client must log in with LOGIN user password (or AUTHENTICATE PLAIN) and get a tagged OK before it may select a mailbox (RFC 3501 §6.2). The user and password are in IMAP_USER and IMAP_PASSWORD; quote them if they hold spaces or special characters.",
    ko:
      "메일함을 선택하기 전에 LOGIN 사용자 비밀번호(또는 AUTHENTICATE PLAIN)로 로그인하고 태그가 붙은 OK를 받아야 합니다(RFC 3501 §6.2). 사용자와 비밀번호는 IMAP_USER와 IMAP_PASSWORD에 있습니다.",
  },
  reusedTag: {
    en:
      "Each command gets its own tag (RFC 3501 §2.2.1): the tag is how the client tells which tagged OK, NO or BAD answers which command, so two commands with one tag make the answers ambiguous.",
    ko:
      "명령마다 자기 태그를 붙여야 합니다(RFC 3501 §2.2.1). 태그로 어느 OK/NO/BAD가 어느 명령의 답인지 구별하므로, 두 명령이 같은 태그를 쓰면 답을 구별할 수 없습니다.",
  },
  noSelect: {
    en:
      "Messages are searched, flagged and moved inside a selected mailbox: SELECT INBOX first and wait for its tagged OK (RFC 3501 §6.3.1).",
    ko:
      "메시지 검색, 플래그 설정, 이동은 선택된 메일함 안에서 합니다. 먼저 SELECT INBOX를 보내고 태그가 붙은 OK를 기다리세요(RFC 3501 §6.3.1).",
  },
  examine: {
    en:
      "EXAMINE opens the mailbox read-only (RFC 3501 §6.3.2), so flags cannot change there: use SELECT to mark and move messages.",
    ko:
      "EXAMINE은 메일함을 읽기 전용으로 엽니다(RFC 3501 §6.3.2). 그래서 플래그를 바꿀 수 없습니다. 표시하고 옮기려면 SELECT를 쓰세요.",
  },
  notSearched: {
    en:
      'The client must find the message by its subject: ask the server (SEARCH SUBJECT "..." or UID SEARCH, RFC 3501 §6.4.4) or read the subjects (FETCH ... ENVELOPE or BODY.PEEK[HEADER.FIELDS (SUBJECT)]). A message number written into the program only works for one mailbox.',
    ko:
      '제목으로 메시지를 찾아야 합니다. 서버에 묻거나(SEARCH SUBJECT "...", UID SEARCH, RFC 3501 §6.4.4) 제목을 읽으세요(FETCH ... ENVELOPE 또는 BODY.PEEK[HEADER.FIELDS (SUBJECT)]). 프로그램에 적어 둔 메시지 번호는 한 메일함에서만 맞습니다.',
  },
  notSeen: {
    en:
      "The message was never marked seen: STORE n +FLAGS (\\Seen) (RFC 3501 §6.4.6) sets the flag, and the server keeps it for every client (RFC 3501 §2.3.2).",
    ko:
      "메시지를 읽음으로 표시하지 않았습니다. STORE n +FLAGS (\\Seen)으로 플래그를 설정하면(RFC 3501 §6.4.6) 서버가 모든 클라이언트를 위해 보관합니다(RFC 3501 §2.3.2).",
  },
  peek: {
    en:
      "Other messages were marked \\Seen too: FETCH BODY[] (and RFC822) sets \\Seen on every message it reads (RFC 3501 §6.4.5). To look at a message without marking it, use BODY.PEEK[...] or ENVELOPE.",
    ko:
      "다른 메시지도 \\Seen으로 표시되었습니다. FETCH BODY[](와 RFC822)는 읽는 메시지마다 \\Seen을 설정합니다(RFC 3501 §6.4.5). 표시하지 않고 보려면 BODY.PEEK[...]나 ENVELOPE를 쓰세요.",
  },
  touched: {
    en:
      "Only the message with the given subject may change: the others must stay in INBOX as they were (not moved, not deleted, not marked). SEARCH SUBJECT matches part of the subject, case-insensitively; check what it returned.",
    ko:
      "주어진 제목의 메시지만 바뀌어야 합니다. 나머지는 INBOX에 그대로 있어야 합니다(이동, 삭제, 표시 없이). SEARCH SUBJECT는 제목의 일부를 대소문자 구분 없이 찾으니 결과를 확인하세요.",
  },
  notMoved: {
    en:
      "The message never reached the folder: MOVE n FOLDER (RFC 6851), or COPY n FOLDER then STORE n +FLAGS (\\Deleted) and EXPUNGE (RFC 3501 §6.4.7).",
    ko:
      "메시지가 폴더에 도착하지 않았습니다. MOVE n 폴더(RFC 6851), 또는 COPY n 폴더 다음에 STORE n +FLAGS (\\Deleted)와 EXPUNGE를 쓰세요(RFC 3501 §6.4.7).",
  },
  copied: {
    en:
      "The message is in the folder but still in INBOX: COPY makes a copy (RFC 3501 §6.4.7). Use MOVE (RFC 6851), or flag the original \\Deleted and EXPUNGE it.",
    ko:
      "메시지가 폴더에도 있지만 INBOX에도 남아 있습니다. COPY는 복사본을 만듭니다(RFC 3501 §6.4.7). MOVE(RFC 6851)를 쓰거나 원본에 \\Deleted를 붙이고 EXPUNGE하세요.",
  },
  notExpunged: {
    en:
      "The original in INBOX is flagged \\Deleted but still there: \\Deleted only marks a message; EXPUNGE (or CLOSE) removes it (RFC 3501 §6.4.3).",
    ko:
      "INBOX의 원본에 \\Deleted 표시만 있고 아직 남아 있습니다. \\Deleted는 표시일 뿐이고 EXPUNGE(또는 CLOSE)가 지웁니다(RFC 3501 §6.4.3).",
  },
  noLogout: {
    en:
      "The client ends the session with LOGOUT and waits for the server's BYE and tagged OK before closing (RFC 3501 §6.1.3), so nothing it asked for is left half done.",
    ko:
      "클라이언트는 LOGOUT으로 세션을 끝내고 서버의 BYE와 태그가 붙은 OK를 기다린 뒤에 연결을 닫습니다(RFC 3501 §6.1.3).",
  },
  bareLf: {
    en:
      "Every IMAP line ends in CRLF, \\r\\n (RFC 3501 §2.2). The lab forgives a bare \\n for people typing with nc; other servers do not.",
    ko:
      "IMAP의 모든 줄은 CRLF(\\r\\n)로 끝납니다(RFC 3501 §2.2). 실습 서버는 nc로 입력하는 사람을 위해 \\n만 있어도 받아 주지만, 다른 서버는 그렇지 않습니다.",
  },
  timedOut: {
    en:
      "The program was still running at the time limit and was stopped. It may be waiting for a line the server never sends: read whole lines, and match each tagged answer to its command.",
    ko:
      "프로그램이 제한 시간까지 끝나지 않아 중지되었습니다. 서버가 보내지 않을 줄을 기다리고 있을 수 있습니다. 줄 단위로 읽고, 태그가 붙은 답을 명령과 맞춰 보세요.",
  },
} as const satisfies Record<string, Why>;
