import assert from "node:assert/strict";
import { ConfigError, DEFAULT_CONFIG, parseLabConfig } from "../../lab/config.ts";

Deno.test("parseLabConfig reads the queue's warning time, connections per destination and DNS routing", () => {
  const config = parseLabConfig({
    ...DEFAULT_CONFIG,
    queue: { retrySchedule: ["5m", "30m"], warnAfter: "4h", connectionsPerDestination: 3 },
    dns: { nameServer: "127.0.0.53:53", port: 2525 },
  });
  assert.deepEqual(config.queue, {
    retrySchedule: [300_000, 1_800_000],
    giveUpAfter: 86_400_000,
    warnAfter: 14_400_000,
    connectionsPerDestination: 3,
  });
  assert.deepEqual(config.dns, { port: 2525, nameServer: { ipAddr: "127.0.0.53", port: 53 } });
  assert.deepEqual(parseLabConfig({ ...DEFAULT_CONFIG, dns: true }).dns, { port: 25 });
  assert.equal(parseLabConfig(DEFAULT_CONFIG).dns, undefined);
  assert.equal(parseLabConfig(DEFAULT_CONFIG).queue.connectionsPerDestination, 2);
  assert.throws(
    () => parseLabConfig({ ...DEFAULT_CONFIG, queue: { connectionsPerDestination: 0 } }),
    (e: unknown) => e instanceof ConfigError && /queue\.connectionsPerDestination/.test(e.message),
  );
  assert.throws(
    () => parseLabConfig({ ...DEFAULT_CONFIG, queue: { warnAfter: "soon" } }),
    /queue\.warnAfter: Expected a duration/,
  );
});
