// The CommonJS packages the agent runs on (fastify, yaml, pg) are loaded with require(), not import.
// An ES module importing a CommonJS package makes Node lex the package's source for its export names
// (cjs-module-lexer): at the agent's start-up that lexing, over fastify.js above all, ran hot enough for
// V8 to optimise the lexer itself, and the idle agent settled higher and less predictably. bench/agent,
// five runs each on the same machine: 59.6–69.9 MB settled with import, 57.1–57.5 MB with require().
// Types still come from each package's own declarations (`typeof import('…')` at the call site).

import { createRequire } from 'node:module';

/** `require` for the agent's modules: packages resolve from the agent's own node_modules. */
export const requirePackage = createRequire(import.meta.url);
