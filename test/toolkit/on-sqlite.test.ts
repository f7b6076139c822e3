/**
 * The toolkit's broker-backed tests once more, against Sluice with its SQLite store: the same service code
 * must behave the same whichever store the broker runs on. (Each file's own run uses the memory store.)
 */
process.env["SLUICE_TEST_BROKER"] = "sluice-sqlite";

for (const file of [
  "./publish-consume.test.js",
  "./reliability.test.js",
  "./dead-letters.test.js",
  "./tracing.test.js",
  "./commands.test.js",
  "./shutdown.test.js",
  "./idempotency.test.js",
  "./topology.test.js",
  "./logging.test.js",
]) {
  await import(file);
}
