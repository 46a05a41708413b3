/**
 * What connects: the SMTP client, the IMAP-lite reader, and the system clock.
 *
 * @module
 */
export { systemClock } from "./system_clock.ts";
