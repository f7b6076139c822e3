// Child process for the redo-log tests: writes through the SQLite store, lets one turn end (its writes go to
// the redo log, as before a response), prints what it did, and dies by SIGKILL before the database commits.
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { message, now, queueRow } from "./redo-fixture.js";

const [dir, phase] = process.argv.slice(2);
const store = new SqliteStore(dir);
const queueId = store.loadQueues()[0]?.id ?? store.insertQueue(queueRow);
store.enqueue([0, 1, 2, 3, 4].map((i) => ({ queueId, message: message(`${phase}-${i}`) })));
const [received, deleted] = store.receive({ queueId, now, max: 2, visibleAt: now + 30_000, fifo: false }).messages;
store.deleteMessage(queueId, deleted.seq, deleted.receiptToken, now, true);
store.afterCommit((failure) => {
  if (failure) throw failure;
  process.stdout.write(`${JSON.stringify({ received: received.body, deleted: deleted.body })}\n`, () => {
    if (phase === "committed") {
      store.close();
      return;
    }
    process.kill(process.pid, "SIGKILL");
  });
});
