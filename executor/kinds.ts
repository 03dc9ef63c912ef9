// Which executor runs each node kind: the compiler's table (compiler/graph/kinds.ts), typed
// Record<NodeKind, ExecutorKind> so a new kind that nobody runs is a compile error. The executor needs
// it for compensations, which name a kind but no executor.

export { EXECUTOR as executorOfKind } from '../compiler/graph/kinds.js';
