/** sluice/toolkit/testing — a broker per test, and spies that wait for messages instead of sleeping. */
export { startInProcessBroker, testBusOptions, connectTestBus, type TestBroker, type StartBroker, type InProcessBrokerOptions } from "./broker.js";
export { spyOn, type Spy, type WaitOptions, type MessageWaitOptions, type DeadLetterWaitOptions } from "./spy.js";
export { orderTrace, formatTrace, type TraceEntry } from "./trace.js";
