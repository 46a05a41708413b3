/**
 * The server side of one IMAP connection as a state machine with no socket (RFC 3501 §3): fed
 * command lines and literal bytes, it returns what to send. The listener drives it over TCP; a
 * notebook or a test can drive it by hand.
 *
 * @module
 */
import type { Clock } from "../../protocol/clock.ts";
import { Arguments, type ImapCommand } from "../../protocol/imap/command.ts";
import { ImapResponseError, ImapSyntaxError } from "../../protocol/imap/error.ts";
import {
  formatStatus,
  type ImapStatusName,
  type ImapStatusResponse,
} from "../../protocol/imap/response.ts";
import { RESPONSE } from "../../protocol/imap/responses.ts";
import { LINE_TOO_LONG } from "../../protocol/line_buffer.ts";
import type { TlsInfo } from "../../runtime/tls.ts";
import type { ProtocolSession, Push, SessionOutput } from "../engine/protocol_session.ts";
import { ImapFraming } from "./framing.ts";
import type { Transcript } from "../../protocol/transcript.ts";
import { systemClock } from "../../runtime/system_clock.ts";
import { type MailboxStore, NotFoundError } from "../store/store.ts";
import { COMMANDS, type ImapCommandName, stateError } from "./commands/table.ts";
import type { CommandResult, Continuation, ImapState, SessionContext } from "./context.ts";
import { type ImapOutput, OutputBuffer } from "./output.ts";
import { failureOf } from "./failures.ts";
import { LoginThrottle } from "../login_throttle.ts";
import type { LoginGuard } from "../login_guard.ts";
import {
  type ImapExpectation,
  type ImapLimits,
  type ImapSessionOptions,
  resolveLimits,
} from "./options.ts";
import { CommandIntake, type LiteralStep } from "./command_intake.ts";
import type { SelectedMailbox, SyncOptions } from "./selected.ts";
import { reportChanges } from "./updates.ts";

const decoder = new TextDecoder();
/** How much of a long answer waits before it goes out ahead of the rest. */
const FLUSH_BYTES = 256 * 1024;

/** What this server can do, in every state (RFC 3501 §7.2.1); login ones are added before it. */
const CAPABILITIES = [
  "IMAP4rev1",
  "LITERAL+", // RFC 7888
  "ID", // RFC 2971
  "ENABLE", // RFC 5161
  "NAMESPACE", // RFC 2342
  "UNSELECT", // RFC 3691
  "CHILDREN", // RFC 3348
  "IDLE", // RFC 2177
  "UIDPLUS", // RFC 4315
  "MOVE", // RFC 6851
  "LIST-EXTENDED", // RFC 5258
  "SPECIAL-USE", // RFC 6154
  "CREATE-SPECIAL-USE", // RFC 6154 §3
  "MULTIAPPEND", // RFC 3502
  "CONDSTORE", // RFC 7162
  "ESEARCH", // RFC 4731
  "SORT", // RFC 5256
  "SORT=DISPLAY", // RFC 5957
];

/**
 * One IMAP connection's state machine: `greeting()`, then `receiveLine(line)` for each line and
 * `receiveLiteral(bytes)` when an output asks for a literal. Each call returns an
 * {@linkcode ImapOutput}: bytes to send, the same as text, and whether to close. Calls must not
 * overlap: await each before the next.
 *
 * @example Log in and select INBOX by hand
 * ```ts
 * import assert from "node:assert/strict";
 * import { Accounts } from "../accounts.ts";
 * import { MemoryStore } from "../store/memory_store.ts";
 * import { ImapSession } from "./session.ts";
 *
 * const accounts = new Accounts({ iterations: 1000 });
 * await accounts.add("bob", "pickles");
 * const store = new MemoryStore();
 * await store.deliver("bob", new TextEncoder().encode("Subject: hi\r\n\r\nHello\r\n"));
 * const session = new ImapSession({ store, accounts, domain: "hamburger.edu" });
 * assert.match(session.greeting().lines[0], /^\* OK \[CAPABILITY IMAP4rev1 /);
 * const login = await session.receiveLine("a1 LOGIN bob@hamburger.edu pickles");
 * assert.match(login.lines[0], /^a1 OK /);
 * const select = await session.receiveLine("a2 SELECT INBOX");
 * assert.ok(select.lines.includes("* 1 EXISTS"));
 * assert.equal(session.state, "selected");
 * ```
 */
export class ImapSession implements ProtocolSession {
  #store: MailboxStore;
  #clock: Clock;
  #domain: string;
  #transcript?: Transcript;
  #verify: (user: string, password: string) => Promise<string | undefined>;
  #limits: Required<ImapLimits>;
  #state: ImapState = "notAuthenticated";
  #user?: string;
  #selected?: SelectedMailbox;
  #failures = 0;
  #throttle: LoginThrottle;
  #logins?: LoginGuard;
  #remote: string;
  #lastActivity: number;
  #out?: OutputBuffer;
  #closing = false;
  #startTls = false;
  #tls?: TlsInfo;
  #starttls: boolean;
  #requireTls: boolean;
  #framing?: ImapFraming;
  #intake: CommandIntake;
  #current = { tag: "*", name: "" };
  #continuation?: Continuation & { tag: string; name: string };
  #context: SessionContext;
  #push?: Push;
  #enabled = new Set<string>();
  #unwatch?: () => void;
  #pushing: Promise<void> = Promise.resolve();
  #sending: Promise<void> | undefined; // the last chunk a long answer flushed, on its way

  /** Creates a session for a new connection. @param options Store, logins, domain, clock, limits, TLS. */
  constructor(options: ImapSessionOptions) {
    this.#store = options.store;
    this.#clock = options.clock ?? systemClock;
    this.#domain = (options.domain ?? "localhost").toLowerCase();
    this.#transcript = options.transcript;
    const accounts = options.accounts;
    this.#verify = options.authenticate ??
      ((user, password) => accounts ? accounts.verify(user, password) : Promise.resolve(undefined));
    this.#limits = resolveLimits(options.limits);
    this.#logins = options.logins;
    this.#remote = options.remote ?? "";
    this.#throttle = new LoginThrottle({
      clock: this.#clock,
      maxAuthFailures: this.#limits.maxFailedLogins,
      authFailureDelayMs: this.#limits.loginFailureDelayMs,
    });
    this.#intake = new CommandIntake({
      maxLiteralSize: this.#limits.maxLiteralSize,
      clock: this.#clock,
      transcript: this.#transcript,
    });
    this.#starttls = options.starttls ?? false;
    this.#requireTls = options.requireTls ?? false;
    this.#lastActivity = this.#clock.now();
    this.#context = this.#makeContext();
  }

  /** Whether the session has ended (LOGOUT, a BYE): the connection closes. */
  get closed(): boolean {
    return this.#state === "logout";
  }

  /** When, by the clock, the session times out unless input arrives (RFC 3501 §5.4). */
  get deadline(): number {
    return this.#lastActivity + this.#limits.idleTimeoutMs;
  }

  /** The TLS protecting the connection, once a handshake finished. */
  get tls(): TlsInfo | undefined {
    return this.#tls;
  }

  /**
   * The connection engine's start: the greeting.
   *
   * @param push Sends output later, unasked (IDLE's news).
   * @returns Its bytes.
   */
  start(push?: Push): SessionOutput {
    this.#push = push;
    return { data: this.greeting().bytes };
  }

  /** Takes bytes as they arrive; answers every whole command. @param bytes Copied in. @returns The responses. */
  async receive(bytes: Uint8Array): Promise<SessionOutput> {
    const out = await (this.#framing ??= new ImapFraming()).feed(this, bytes);
    return { data: out.data, close: out.close || this.closed, startTls: out.startTls };
  }

  /**
   * Ends the session when it has been idle too long (the engine calls this at the deadline).
   *
   * @param now The clock's time.
   * @returns The BYE to send before closing, or nothing while the deadline is not reached.
   */
  tick(now: number): SessionOutput | undefined {
    if (this.#state === "logout" || now < this.deadline) return undefined;
    return { data: this.#bye(RESPONSE.IdleTimeout).bytes, close: true };
  }

  /**
   * A TLS handshake finished (STARTTLS, or an implicit-TLS port). The session stays not
   * authenticated (RFC 3501 §6.2.1); the capabilities change. @param info Version and cipher.
   */
  secured(info: TlsInfo): void {
    this.#tls = info;
  }

  /** The connection ended: the session stops watching its mailbox. */
  close(): void {
    this.#stopWatching();
    this.#state = "logout";
  }

  /** The server is shutting down. @returns The BYE. */
  shutdown(): SessionOutput {
    return { data: this.#bye(RESPONSE.ShuttingDown).bytes, close: true };
  }

  /** The session failed (a bug). @returns The BYE. */
  fail(): SessionOutput {
    return { data: this.#bye(RESPONSE.InternalError).bytes, close: true };
  }

  #bye(response: ImapStatusResponse<"BYE">, out = this.#begin()): ImapOutput {
    out.add(formatStatus("*", response));
    this.#state = "logout";
    return this.#finish(out);
  }

  /** The connection state. */
  get state(): ImapState {
    return this.#state;
  }

  /** The logged-in user, once authenticated. */
  get user(): string | undefined {
    return this.#user;
  }

  /** The limits in force, defaults applied. */
  get limits(): Readonly<Required<ImapLimits>> {
    return this.#limits;
  }

  /** What the session waits for: a line, a literal of some size, or nothing (closed). */
  get expecting(): ImapExpectation {
    if (this.#state === "logout") return { kind: "closed" };
    const size = this.#intake.expected;
    if (size !== undefined) return { kind: "literal", size };
    return { kind: "line" };
  }

  /** The greeting when the connection opens (RFC 3501 §7.1.1). @returns `* OK [CAPABILITY ...] ...`. */
  greeting(): ImapOutput {
    const out = this.#begin();
    out.add(formatStatus("*", RESPONSE.Greeting(this.#domain, this.#capabilities())));
    return this.#finish(out);
  }

  /**
   * Takes one line from the client, without its line ending.
   *
   * @param input The line as bytes or text, or {@linkcode LINE_TOO_LONG} from the line buffer.
   * @param head For a line too long: its first bytes, which give its tag.
   * @returns What to send and what comes next.
   */
  async receiveLine(
    input: Uint8Array | string | typeof LINE_TOO_LONG,
    head?: Uint8Array,
  ): Promise<ImapOutput> {
    await this.#pushing; // IDLE's news under way goes out first, whole
    const out = this.#begin();
    if (this.#state === "logout") return this.#finish(out);
    if (this.#intake.expected !== undefined) {
      throw new TypeError("Expected literal bytes, not a line");
    }
    if (input === LINE_TOO_LONG) {
      this.#transcript?.client("(line too long)", this.#clock.now());
      // RFC 3501 §7.1.3: answered by its tag, when the line's start shows one.
      const shown = /^([^\s(){%*"\\\]+]+) /.exec(decoder.decode(head ?? new Uint8Array()));
      const tag = this.#intake.tag ?? this.#continuation?.tag ?? shown?.[1] ?? "*";
      this.#reset();
      out.add(formatStatus(tag, RESPONSE.LineTooLong(this.#limits.maxLineLength)));
      return this.#finish(out);
    }
    const line = typeof input === "string" ? input : decoder.decode(input);
    if (this.#continuation) {
      const { tag, name, then, shown } = this.#continuation;
      this.#transcript?.client(shown ? line : "****", this.#clock.now());
      this.#continuation = undefined;
      await this.#run(out, { tag, name }, () => then(line));
      return this.#finish(out);
    }
    let step;
    try {
      step = this.#intake.line(line);
    } catch (error) {
      if (!(error instanceof ImapSyntaxError)) throw error;
      out.add(formatStatus(error.tag ?? "*", RESPONSE.Syntax(error.message)));
      return this.#finish(out);
    }
    if ("literal" in step) return this.#literal(out, step);
    await this.#dispatch(out, step.command);
    return this.#finish(out);
  }

  /**
   * Takes the bytes of the literal that the last output asked for.
   *
   * @param bytes Exactly `literal` bytes.
   * @returns What to send (usually nothing: the rest of the command line comes next).
   */
  receiveLiteral(bytes: Uint8Array): Promise<ImapOutput> {
    const out = this.#begin();
    this.#intake.literal(bytes);
    return Promise.resolve(this.#finish(out));
  }

  #begin(): OutputBuffer {
    this.#lastActivity = this.#clock.now();
    this.#out = new OutputBuffer(this.#transcript, () => this.#clock.now());
    return this.#out;
  }

  #finish(out: OutputBuffer, literal?: number): ImapOutput {
    this.#out = undefined;
    if (this.#closing) this.#state = "logout";
    if (this.#state === "logout") this.#stopWatching();
    const output = out.finish(this.#state === "logout", literal);
    if (this.#startTls) {
      this.#startTls = false;
      output.startTls = true;
    }
    return output;
  }

  #reset(): void {
    this.#intake.reset();
    this.#continuation = undefined;
  }

  #literal(out: OutputBuffer, step: LiteralStep): ImapOutput {
    const { literal, tooLarge, tag } = step;
    const max = this.#limits.maxLiteralSize;
    if (!tooLarge) {
      if (!literal.nonSync) out.add("+ Ready for literal data");
      return this.#finish(out, literal.size);
    }
    // RFC 7888 §4: the bytes of a LITERAL+ literal are on their way already; hang up.
    if (literal.nonSync) return this.#bye(RESPONSE.LiteralPlusTooLarge(max), out);
    out.add(formatStatus(tag, RESPONSE.LiteralTooLarge(max)));
    return this.#finish(out);
  }

  async #dispatch(out: OutputBuffer, command: ImapCommand): Promise<void> {
    const spec =
      (COMMANDS as Record<string, (typeof COMMANDS)[keyof typeof COMMANDS]>)[command.name];
    if (!spec) return out.add(formatStatus(command.tag, RESPONSE.UnknownCommand(command.name)));
    if (!spec.states.includes(this.#state)) {
      const name = command.name as ImapCommandName;
      return out.add(formatStatus(command.tag, stateError(name, this.#state)));
    }
    // RFC 3501 §6.3.1: a SELECT, even a failing one, first closes the selected mailbox.
    if ("deselects" in spec && spec.deselects) this.#enter("authenticated");
    const noExpunge = "noExpunge" in spec && spec.noExpunge;
    await this.#run(out, { tag: command.tag, name: command.name, noExpunge }, async () => {
      try {
        return await spec.run(this.#context, new Arguments(command.args), command);
      } catch (error) {
        if (error instanceof ImapSyntaxError) {
          throw ImapResponseError.of(RESPONSE.BadArguments(error.message, spec.syntax));
        }
        throw error;
      }
    });
  }

  async #run(
    out: OutputBuffer,
    command: { tag: string; name: string; noExpunge?: boolean },
    work: () => Promise<CommandResult | void>,
  ): Promise<void> {
    const { tag, name } = command;
    this.#current = { tag, name };
    let tagged: ImapStatusResponse<ImapStatusName>;
    try {
      const result = await work();
      if (result?.continuation) {
        this.#continuation = { tag, name, ...result.continuation };
        out.add(`+ ${result.continuation.prompt}`);
        if (result.continuation.idle) await this.#startIdle();
        return;
      }
      if (result) this.#apply(result);
      tagged = result?.response ?? RESPONSE.Completed(name);
    } catch (error) {
      tagged = failureOf(error);
    }
    // RFC 3501 §7.3 and §7.4.1: what changed meanwhile, before the tagged answer.
    // NOOP and CHECK are how clients poll: they always ask the store, also about the disk.
    const polls = name === "NOOP" || name === "CHECK";
    await this.#update({ expunge: !command.noExpunge, now: this.#clock.now(), force: polls });
    out.add(formatStatus(tag, tagged));
    if (this.#failures >= this.#limits.maxFailedLogins && this.#state === "notAuthenticated") {
      out.add(formatStatus("*", RESPONSE.TooManyFailedLogins));
      this.#closing = true;
    }
  }

  // Sends the selected mailbox's news; a mailbox that vanished ends the session.
  async #update(options: SyncOptions): Promise<void> {
    if (this.#state !== "selected" || this.#closing) return;
    try {
      await reportChanges(this.#context, options);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      this.#out?.add(formatStatus("*", RESPONSE.MailboxGone(this.#selected!.name)));
      this.#closing = true;
    }
  }

  // IDLE (RFC 2177): news of the selected mailbox goes out as soon as it happens, until DONE.
  async #startIdle(): Promise<void> {
    await this.#update({ expunge: true });
  }

  // While a mailbox is selected, the store's watch says when it changed: the next sync asks the
  // store only then (or when a second has passed), and an idling session is told at once.
  #watch(box: SelectedMailbox): void {
    this.#stopWatching();
    this.#unwatch = this.#store.watch(box.user, (change) => {
      if (change.mailbox !== box.name && change.kind !== "mailboxes") return;
      box.touched();
      if (!this.#continuation?.idle) return;
      this.#pushing = this.#pushing.then(() => this.#pushNews()).catch(() => {});
    });
  }

  async #pushNews(): Promise<void> {
    if (!this.#continuation?.idle) return;
    const out = this.#begin();
    await this.#update({ expunge: true });
    const output = this.#finish(out);
    if (output.bytes.length > 0) this.#push?.({ data: output.bytes, close: output.close });
  }

  // One chunk may be on its way while the next is built; then building waits for it.
  async #flush(): Promise<void> {
    const out = this.#out;
    if (!this.#push || !out || out.size < FLUSH_BYTES) return;
    const before = this.#sending;
    this.#sending = Promise.resolve(this.#push({ data: out.take() }));
    await before;
  }

  #stopWatching(): void {
    this.#unwatch?.();
    this.#unwatch = undefined;
  }

  #apply(result: CommandResult): void {
    for (const name of result.enable ?? []) {
      const enabling = name.toUpperCase();
      if (this.#enabled.has(enabling)) continue;
      this.#enabled.add(enabling);
      // RFC 7162 §3.1: a command that turns CONDSTORE on while a mailbox is selected (FETCH
      // MODSEQ, STORE UNCHANGEDSINCE, SEARCH MODSEQ) reports the mailbox's HIGHESTMODSEQ; SELECT
      // (CONDSTORE) says it among its own responses.
      if (enabling === "CONDSTORE" && this.#selected && !result.selected) {
        this.#out?.add(formatStatus("*", RESPONSE.HighestModseq(this.#selected.highestModseq)));
      }
    }
    if (result.user !== undefined) this.#user = result.user;
    if (result.state) this.#enter(result.state, result.selected);
    if (result.close) this.#closing = true;
    if (result.startTls) this.#startTls = true;
  }

  #enter(state: ImapState, selected?: SelectedMailbox): void {
    this.#state = state;
    const before = this.#selected;
    this.#selected = state === "selected" ? selected ?? this.#selected : undefined;
    if (this.#selected === before) return;
    if (this.#selected) this.#watch(this.#selected);
    else this.#stopWatching();
  }

  get #loginDisabled(): boolean {
    return this.#requireTls && !this.#tls;
  }

  #capabilities(state = this.#state): string[] {
    const caps = [...CAPABILITIES];
    if (state === "notAuthenticated") {
      if (this.#starttls && !this.#tls) caps.push("STARTTLS");
      if (this.#loginDisabled) caps.push("LOGINDISABLED");
      else caps.push("SASL-IR", "AUTH=PLAIN");
    }
    return caps;
  }

  async #authenticate(user: string, password: string): Promise<string | undefined> {
    const at = user.lastIndexOf("@");
    const domainOk = at < 0 || user.slice(at + 1).toLowerCase() === this.#domain;
    const local = at < 0 ? user : user.slice(0, at);
    const check = () =>
      domainOk && local ? this.#verify(local, password) : Promise.resolve(undefined);
    let name: string | undefined;
    if (this.#logins) {
      const outcome = await this.#logins.attempt("IMAP", this.#remote, user, check);
      if (!outcome.ok && outcome.lockedMs) {
        this.#failures++; // tries against a lock count too: the connection still ends at the limit
        throw ImapResponseError.of(RESPONSE.LoginLocked(Math.ceil(outcome.lockedMs / 1000)));
      }
      name = outcome.ok ? outcome.user : undefined;
    } else {
      name = await check();
    }
    if (name === undefined) {
      this.#failures++;
      await this.#throttle.failed();
    }
    return name;
  }

  #makeContext(): SessionContext {
    // deno-lint-ignore no-this-alias -- the context's getters read this session
    const session = this;
    return {
      store: this.#store,
      clock: this.#clock,
      domain: this.#domain,
      get state() {
        return session.#state;
      },
      get user() {
        return session.#user;
      },
      get selected() {
        return session.#selected;
      },
      get tls() {
        return session.#tls !== undefined;
      },
      starttls: this.#starttls,
      get loginDisabled() {
        return session.#loginDisabled;
      },
      enabled: this.#enabled,
      capabilities: (state) => this.#capabilities(state),
      send: (head, data) => this.#out?.add(head, data),
      flush: () => this.#flush(),
      authenticate: (user, password) => this.#authenticate(user, password),
    };
  }
}
