/**
 * The two-domain lab and the helpers its notebooks use.
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
