/**
 * What listens: mailbox stores, accounts, and the TCP listener the protocol servers share.
 *
 * @module
 */
export {
  AlreadyExistsError,
  checkMailboxName,
  checkUserName,
  type DeliverOptions,
  InvalidNameError,
  type MailboxStatus,
  type MailboxStore,
  type MessageInfo,
  NotFoundError,
  SYSTEM_FLAGS,
  type SystemFlag,
} from "./store/store.ts";
export { MemoryStore, type MemoryStoreOptions } from "./store/memory_store.ts";
export { Accounts, type AccountsOptions } from "./accounts.ts";
export {
  closeQuietly,
  type RefusalReason,
  TcpListener,
  type TcpListenerOptions,
} from "./tcp_listener.ts";
