// The agent reports the package version it was built from.
export const AGENT_VERSION = '0.1.0';
