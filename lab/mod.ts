/**
 * The two-domain lab, its configuration, and the checks its notebooks use.
 *
 * @module
 */
export {
  CheckFailedError,
  type CheckResult,
  Checks,
  type ChecksOptions,
  type Hint,
} from "./checks.ts";
export {
  ConfigError,
  DEFAULT_CONFIG,
  type DomainConfig,
  type LabConfig,
  type LabConfigInput,
  parseDuration,
  parseLabConfig,
} from "./config.ts";
export { type Endpoint as LabEndpoint, Lab, type LabAccount, type LabOptions } from "./lab.ts";
export { EventLog, type EventLogOptions } from "./event_log.ts";
export {
  applyFault,
  deleteQueued,
  type FaultAction,
  findQueued,
  flushQueues,
  type LabFaultOptions,
  parseFault,
  queuedEntries,
  type QueueFilter,
} from "./operator.ts";
export {
  controlHandler,
  type ControlInfo,
  ControlServer,
  type ControlServerOptions,
} from "./control.ts";
export { imapTelnet, telnet, type TelnetOptions } from "./telnet.ts";
