// What the agent knows about the PostgreSQL it runs next to: identity, file locations and contents.
// Paths come from agent config or from the server itself (SHOW hba_file, data_directory), never from a request.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentConfig } from './config/types.js';
import type { Db } from './pg/db.js';
import { identitySql } from './pg/sql.js';

export interface Identity {
  readonly serverVersionNum: number;
  readonly serverVersion: string;
  readonly inRecovery: boolean;
  readonly postmasterStartTime: string;
  readonly dataDirectory: string;
  readonly configFile: string;
  readonly hbaFile: string;
  readonly autoConfFile: string;
  readonly systemIdentifier: string | null;
  readonly currentLsn: string | null;
}

interface IdentityRow {
  server_version_num: number;
  server_version: string;
  in_recovery: boolean;
  postmaster_start_time: string;
  data_directory: string;
  config_file: string;
  hba_file: string;
  system_identifier: string | null;
  current_lsn: string | null;
}

export async function readIdentity(db: Db, config: AgentConfig): Promise<Identity> {
  const v = await db.serverVersionNum();
  db.count('identity');
  const row = (await db.query<IdentityRow>(identitySql(v)))[0]!;
  const dataDirectory = config.paths.dataDirectory ?? row.data_directory;
  return {
    serverVersionNum: row.server_version_num,
    serverVersion: row.server_version,
    inRecovery: row.in_recovery,
    postmasterStartTime: row.postmaster_start_time,
    dataDirectory,
    configFile: row.config_file,
    hbaFile: config.paths.hbaFile ?? row.hba_file,
    autoConfFile: join(dataDirectory, 'postgresql.auto.conf'),
    systemIdentifier: row.system_identifier ?? (await systemIdentifierFromControlFile(dataDirectory)),
    currentLsn: row.current_lsn,
  };
}

/**
 * 9.5 has no pg_control_system(): the identifier is the first 8 bytes of global/pg_control
 * (little-endian on the x86/ARM hosts EC2 runs). Null when the file is not readable.
 */
async function systemIdentifierFromControlFile(dataDirectory: string): Promise<string | null> {
  const bytes = await readFile(join(dataDirectory, 'global', 'pg_control')).catch(() => null);
  return bytes && bytes.length >= 8 ? bytes.readBigUInt64LE(0).toString() : null;
}

export async function readText(path: string): Promise<string> {
  return readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
}
