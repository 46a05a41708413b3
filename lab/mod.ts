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
  type ResultRecord,
} from "./checks.ts";
export { smtpExerciseProblem, type SmtpExerciseTask } from "./smtp_exercise.ts";
export { type Variant, variantFor } from "./variant.ts";
export { readRecords, type ResultRow, resultRows, resultsCsv, resultsHtml } from "./results.ts";
export {
  ConfigError,
  DEFAULT_CONFIG,
  type DomainConfig,
  type DomainConfigInput,
  type DomainPorts,
  type LabConfig,
  type LabConfigInput,
  parseDuration,
  parseLabConfig,
  type RelayTlsMode,
  type ServerLimits,
} from "./config.ts";
export { type HttpAnswer, HttpDialog, type HttpDialogOptions } from "./http_dialog.ts";
export {
  type HopState,
  systemPicture,
  systemPictureDisplay,
  type SystemPictureOptions,
} from "./system_picture.ts";
export {
  type Endpoint as LabEndpoint,
  Lab,
  type LabAccount,
  type LabOptions,
  type LabServerState,
} from "./lab.ts";
export { EventLog, type EventLogOptions } from "./event_log.ts";
export { type FaultAction, type LabFaultOptions, type QueueFilter } from "./operator.ts";
export type { FaultStage } from "./faults.ts";
export { imapTelnet, telnet, type TelnetOptions } from "./telnet.ts";
