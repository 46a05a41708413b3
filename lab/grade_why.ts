/**
 * Why a step of the SMTP-client assignment failed, in English and in Korean: one catalogue, so
 * each explanation is written once, cites its RFC, and tests can compare against it.
 *
 * @module
 */

/** One explanation in the course's two languages. */
export interface Why {
  /** In English. */
  en: string;
  /** In Korean (한국어). */
  ko: string;
}

/**
 * Every explanation the grader gives, by what went wrong.
 *
 * @example Both languages for a client that talks first
 * ```ts
 * import assert from "node:assert/strict";
 * import { WHY } from "./grade_why.ts";
 *
 * assert.match(WHY.spokeFirst.en, /RFC 5321 §3\.1/);
 * assert.match(WHY.spokeFirst.ko, /인사말/);
 * ```
 */
export const WHY = {
  notConnected: {
    en: "The program never connected to SMTP_HOST:SMTP_PORT, so there is no dialog to grade.",
    ko: "프로그램이 SMTP_HOST:SMTP_PORT에 한 번도 접속하지 않아서 채점할 대화가 없습니다.",
  },
  silent: {
    en:
      "The client connected but sent nothing: an SMTP client must speak once the server has greeted it.",
    ko:
      "클라이언트가 접속은 했지만 아무것도 보내지 않았습니다. 서버가 인사한 뒤에는 클라이언트가 말해야 합니다.",
  },
  // RFC 5321 §3.1, §4.3.1; Postfix postscreen's pregreet test.
  spokeFirst: {
    en:
      "In SMTP the server speaks first (RFC 5321 §3.1): the client must read the 220 greeting before it sends anything. Servers such as Postfix's postscreen hold the greeting back and drop a client that talks early, because spam robots do.",
    ko:
      "SMTP에서는 서버가 먼저 말합니다(RFC 5321 §3.1). 클라이언트는 220 인사말을 읽은 뒤에야 무엇이든 보낼 수 있습니다. Postfix의 postscreen 같은 서버는 인사말을 일부러 늦추고, 먼저 말하는 클라이언트를 스팸 로봇으로 보고 끊습니다.",
  },
  // RFC 5321 §4.1.1.1
  noHelo: {
    en:
      "A client opens the dialog by naming itself with HELO (or EHLO for extended SMTP) and its domain, and waits for 250 (RFC 5321 §4.1.1.1).",
    ko:
      "클라이언트는 HELO(확장 SMTP라면 EHLO)와 자기 도메인 이름으로 대화를 시작하고 250 응답을 기다립니다(RFC 5321 §4.1.1.1).",
  },
  // RFC 5321 §4.1.1.2
  wrongSender: {
    en:
      "The envelope sender must be the address given in MAIL_FROM, in angle brackets: MAIL FROM:<address> (RFC 5321 §4.1.1.2).",
    ko:
      "봉투의 보내는 사람은 MAIL_FROM에 주어진 주소를 꺾쇠괄호에 넣은 것이어야 합니다: MAIL FROM:<주소> (RFC 5321 §4.1.1.2).",
  },
  // RFC 5321 §4.1.1.3
  wrongRecipient: {
    en:
      "The envelope recipient must be the address given in RCPT_TO, in angle brackets: RCPT TO:<address> (RFC 5321 §4.1.1.3). The server delivers to the envelope, whatever the To: line says.",
    ko:
      "봉투의 받는 사람은 RCPT_TO에 주어진 주소를 꺾쇠괄호에 넣은 것이어야 합니다: RCPT TO:<주소> (RFC 5321 §4.1.1.3). 서버는 To: 줄이 아니라 봉투의 주소로 배달합니다.",
  },
  // RFC 5321 §4.3.1 and RFC 2920 §3.1
  noWait: {
    en:
      "The client sent this command before the reply to the one before it. After HELO the server offered no PIPELINING, so the client must wait for each reply (RFC 5321 §4.3.1); even with EHLO and PIPELINING, the next command after HELO or EHLO must wait (RFC 2920 §3.1).",
    ko:
      "클라이언트가 앞 명령의 응답을 받기 전에 이 명령을 보냈습니다. HELO 뒤에는 서버가 PIPELINING을 제공하지 않으므로 응답마다 기다려야 합니다(RFC 5321 §4.3.1). EHLO와 PIPELINING이 있어도 HELO나 EHLO 다음 명령은 기다려야 합니다(RFC 2920 §3.1).",
  },
  refused: {
    en:
      "The server did not accept this command (see its reply), so the dialog could not go on as the assignment asks.",
    ko:
      "서버가 이 명령을 받아들이지 않았습니다(응답을 보세요). 그래서 과제가 요구하는 대로 대화가 이어질 수 없었습니다.",
  },
  missing: {
    en:
      "The client never sent this command; the dialog needs HELO, MAIL FROM, RCPT TO, DATA and QUIT, in that order (RFC 5321 §3.3).",
    ko:
      "클라이언트가 이 명령을 보내지 않았습니다. 대화에는 HELO, MAIL FROM, RCPT TO, DATA, QUIT가 이 순서로 필요합니다(RFC 5321 §3.3).",
  },
  // RFC 5321 §4.1.1.4, RFC 2920 §3.1
  textBefore354: {
    en:
      "The client sent the message text before the server's 354. The server says 354 when it is ready for the text; before that, the text would be read as commands. Even with PIPELINING the text must wait for 354 (RFC 2920 §3.1).",
    ko:
      "클라이언트가 서버의 354 응답 전에 메시지 본문을 보냈습니다. 서버는 본문을 받을 준비가 되면 354라고 말하고, 그 전에 온 본문은 명령으로 읽힙니다. PIPELINING을 쓰더라도 본문은 354를 기다려야 합니다(RFC 2920 §3.1).",
  },
  // RFC 5322 §2.1, §3.6
  headers: {
    en:
      "The message starts with its header (RFC 5322 §2.1): From:, To: and Subject: lines with the assignment's values, then an empty line, then the body. MAIL FROM and RCPT TO are the envelope, not the header: without a header the recipient sees no sender and no subject.",
    ko:
      "메시지는 헤더로 시작합니다(RFC 5322 §2.1). 과제의 값으로 채운 From:, To:, Subject: 줄, 빈 줄, 그리고 본문이 옵니다. MAIL FROM과 RCPT TO는 봉투이지 헤더가 아닙니다. 헤더가 없으면 받는 사람은 보낸 사람도 제목도 볼 수 없습니다.",
  },
  // RFC 5321 §2.3.8, §4.1.1.4; SMTP smuggling (CVE-2023-51766 and others)
  bareLineEnd: {
    en:
      'Every SMTP line ends with CR LF, "\\r\\n" (RFC 5321 §2.3.8). A bare LF or a bare CR is not a line end: strict servers refuse it, and inside DATA it is how SMTP smuggling hides a second message, so a server must not take "\\n.\\n" for the end of the text.',
    ko:
      'SMTP의 모든 줄은 CR LF("\\r\\n")로 끝납니다(RFC 5321 §2.3.8). CR 없는 LF나 LF 없는 CR은 줄 끝이 아닙니다. 엄격한 서버는 이를 거부하고, DATA 안에서는 SMTP 스머글링이 두 번째 메시지를 숨기는 수법이므로 서버는 "\\n.\\n"을 본문의 끝으로 보면 안 됩니다.',
  },
  // RFC 5321 §4.5.2
  dotStuffing: {
    en:
      'A text line that starts with "." must be sent with one more "." in front (RFC 5321 §4.5.2), so that it cannot be taken for the end of the text; the server removes the added dot. Without it the server removed the line\'s own first dot.',
    ko:
      '"."으로 시작하는 본문 줄은 앞에 "."을 하나 더 붙여 보내야 합니다(RFC 5321 §4.5.2). 그래야 본문의 끝으로 오해받지 않고, 서버가 덧붙인 점을 지웁니다. 붙이지 않으면 서버가 그 줄의 원래 첫 점을 지웁니다.',
  },
  noText: {
    en: "No message text was sent after DATA, so there is nothing to judge here.",
    ko: "DATA 뒤에 메시지 본문을 보내지 않아서 여기서 판단할 것이 없습니다.",
  },
  // RFC 5321 §4.1.1.4, §6.1
  notStored: {
    en:
      "The recipient's mailbox holds no message: the server stores the text only after it has read CRLF.CRLF and answered 250 (RFC 5321 §4.1.1.4, §6.1).",
    ko:
      "받는 사람의 메일 박스에 메시지가 없습니다. 서버는 CRLF.CRLF를 읽고 250으로 답한 뒤에야 본문을 저장합니다(RFC 5321 §4.1.1.4, §6.1).",
  },
  bodyDiffers: {
    en:
      "The body in the recipient's mailbox must be BODY_FILE's text, line for line, with CRLF line ends. Read the file as it is and send each of its lines.",
    ko:
      "받는 사람의 메일 박스에 저장된 본문은 BODY_FILE의 내용과 한 줄 한 줄 같아야 합니다(줄 끝은 CRLF). 파일을 그대로 읽어 모든 줄을 보내세요.",
  },
  // RFC 5321 §4.1.1.4
  noEnd: {
    en:
      'The text ends with a line holding a single ".", that is CR LF . CR LF (RFC 5321 §4.1.1.4); until the server has read it, it waits for more text.',
    ko:
      '본문은 "." 하나만 있는 줄, 곧 CR LF . CR LF로 끝납니다(RFC 5321 §4.1.1.4). 서버는 이것을 읽을 때까지 본문이 더 오기를 기다립니다.',
  },
  // RFC 5321 §4.1.1.4, §6.1
  noWait250: {
    en:
      "The client went on (or hung up) before the server's 250 after the text. Only that 250 says the server took the message and is now responsible for it (RFC 5321 §6.1).",
    ko:
      "클라이언트가 본문 뒤 서버의 250 응답 전에 다음으로 넘어갔거나 연결을 끊었습니다. 그 250만이 서버가 메시지를 받아 책임진다는 뜻입니다(RFC 5321 §6.1).",
  },
  // RFC 5321 §4.1.1.10
  noQuit: {
    en:
      "The client must end the dialog with QUIT and wait for 221 before closing (RFC 5321 §4.1.1.10); a client that just hangs up leaves the server unsure whether it meant to stop.",
    ko:
      "클라이언트는 QUIT로 대화를 끝내고, 연결을 닫기 전에 221 응답을 기다려야 합니다(RFC 5321 §4.1.1.10). 그냥 끊으면 서버는 클라이언트가 끝내려 했는지 알 수 없습니다.",
  },
  // RFC 5321 §4.1.1.10, §3.8
  notClosed: {
    en:
      "After 221 the client closes its TCP connection (RFC 5321 §4.1.1.10); this one was still open when the program was stopped, which ties up one of the server's connections.",
    ko:
      "221 응답 뒤에 클라이언트는 TCP 연결을 닫습니다(RFC 5321 §4.1.1.10). 이 연결은 프로그램이 멈출 때까지 열려 있어서 서버의 연결 하나를 붙잡고 있었습니다.",
  },
  timedOut: {
    en:
      "The program was still running at the time limit and was stopped. A client that waits for a reply that never comes hangs; usually a line end the server did not take for one (not CRLF) is the cause.",
    ko:
      "프로그램이 제한 시간이 지나도 끝나지 않아 강제로 멈췄습니다. 오지 않을 응답을 기다리는 클라이언트는 멈춰 버립니다. 서버가 줄 끝으로 보지 않은 줄 끝(CRLF가 아닌 것)이 흔한 원인입니다.",
  },
} as const satisfies Record<string, Why>;
