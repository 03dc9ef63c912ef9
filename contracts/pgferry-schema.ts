// The schema where the agent keeps pgferry's own objects on the source (the cutover marker table).
// Replication never carries it: the target has no such table, and a row of it arriving there stops
// the apply worker (engine logical) for good.

export const PGFERRY_SCHEMA = 'pgferry';
