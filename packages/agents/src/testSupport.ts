// Re-exports used by the agents' tests (kept out of the package's public entry).
export { evaluateSchedule as evaluateScheduleForTest } from "@optex/engine";
export { basicEnvironment, normal, solveVirtualType } from "@optex/theory";
