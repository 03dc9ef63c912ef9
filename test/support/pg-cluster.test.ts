// Smoke test for the shared cluster helper: every embedded major starts, answer over socket and TCP,
// reload and restart, and leave nothing behind.
import { existsSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startCluster } from './pg-cluster.js';

describe.each([10, 12, 16, 18] as const)('pg-cluster on PostgreSQL %i', (major) => {
  it('starts, answers, reloads, restarts and cleans up', async () => {
    const cluster = await startCluster({ major, settings: { wal_level: 'logical' } });
    try {
      const version = await cluster.query('SHOW server_version_num');
      expect(Math.floor(Number(version.rows[0].server_version_num) / 10000)).toBe(major);
      expect((await cluster.query('SHOW wal_level')).rows[0].wal_level).toBe('logical');

      const tcp = new pg.Client({ connectionString: cluster.connectionString() });
      await tcp.connect();
      expect((await tcp.query('SELECT inet_server_addr()::text AS addr')).rows[0].addr).toBe('127.0.0.1/32');
      await tcp.end();

      await cluster.query("ALTER SYSTEM SET work_mem = '8MB'");
      await cluster.reload();
      // A reload is asynchronous in the server: poll the setting rather than time it.
      for (let i = 0; i < 100; i++) {
        if ((await cluster.query('SHOW work_mem')).rows[0].work_mem === '8MB') break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect((await cluster.query('SHOW work_mem')).rows[0].work_mem).toBe('8MB');

      await cluster.query("ALTER SYSTEM SET max_wal_senders = '7'");
      await cluster.restart();
      expect((await cluster.query('SHOW max_wal_senders')).rows[0].max_wal_senders).toBe('7');
    } finally {
      await cluster.stop();
    }
    expect(existsSync(cluster.dataDir)).toBe(false);
  });

  it('enforces host rules when the test gives them', async () => {
    const cluster = await startCluster({ major, hba: ['host all all 127.0.0.1/32 scram-sha-256'] });
    try {
      await cluster.query("SET password_encryption = 'scram-sha-256'; CREATE ROLE app LOGIN PASSWORD 'secret'");
      const good = new pg.Client({ connectionString: cluster.connectionString('postgres', 'app', 'secret') });
      await good.connect();
      await good.end();
      const bad = new pg.Client({ connectionString: cluster.connectionString('postgres', 'app', 'wrong') });
      await expect(bad.connect()).rejects.toThrow(/password authentication failed/);
    } finally {
      await cluster.stop();
    }
  });
});
