// The DMS-console features a cautious team turns on, through the CLI on real clusters: premigration
// assessments before the task starts (the DMS fake's assessment runs) and fk_strategy parameter_group
// (the RDS fake, whose group values reach the real target as RDS puts them there: the server's
// configuration, reloaded). Checks what a new target session sees at each step, that a resumed apply
// starts no second assessment run, and that cutover puts the group's value back.

import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RdsFake } from '../support/rds-fake.js';
import { nodeStates, startWorld, type World } from './support/world.js';

const PLAN_FILE = fileURLToPath(new URL('./fixtures/cdc-rds.yaml', import.meta.url));
const GROUP = 'shopx-pg16';

describe('premigration assessments and the parameter group, apply → cutover → cleanup', () => {
  let world: World;
  let rds: RdsFake;

  async function role(): Promise<string> {
    const result = await world.target.query('SHOW session_replication_role', [], 'orders');
    return result.rows[0].session_replication_role;
  }

  beforeAll(async () => {
    world = await startWorld({ plan: { file: PLAN_FILE, name: 'shopx' } });
    rds = new RdsFake();
    rds.addInstance('shopx-db', GROUP);
    rds.onApplied = async (_group, values) => {
      const value = values.get('session_replication_role');
      await world.target.query(
        value === undefined
          ? 'ALTER SYSTEM RESET session_replication_role'
          : `ALTER SYSTEM SET session_replication_role = '${value}'`,
      );
      await world.target.query('SELECT pg_reload_conf()');
    };
    // One individual assessment warns: listed, not blocking.
    world.dms.assessments.results.set('postgres-check-replication-slots-count', 'warning');
  });
  afterAll(async () => {
    rds?.restore();
    await world?.close();
  });

  it('sets replica in the group before the target is prepared, seen from a new session', async () => {
    expect(await role()).toBe('origin');
    const result = await world.run('apply');
    expect(result.stderr).not.toMatch(/error|failed/i);
    expect(result.code).toBe(0);
    const out = result.stdout.split('\n');
    const applied = out.findIndex((line) => line.startsWith('✓ target.parameter-group.apply'));
    const prepared = out.findIndex((line) => line.startsWith('✓ target.orders.prepare'));
    expect(applied, result.stdout).toBeGreaterThanOrEqual(0);
    expect(applied).toBeLessThan(prepared);
    expect(rds.valueOf(GROUP, 'session_replication_role')).toBe('replica');
    expect(await role()).toBe('replica');
    expect(rds.count('ModifyDBParameterGroup')).toBe(1);
  });

  it('runs the assessment once between the task create and its start, listing the warning', async () => {
    expect((await world.run('approve', ['restart-consent'])).code).toBe(0);
    const result = await world.run('apply');
    expect(result.stderr).not.toMatch(/error|failed/i);
    expect(result.code).toBe(0);
    const out = result.stdout.split('\n');
    const created = out.findIndex((line) => line.startsWith('✓ dms.task.orders-cdc.create'));
    const assessed = out.findIndex((line) => line.startsWith('✓ dms.task.orders-cdc.assess'));
    const started = out.findIndex((line) => line.startsWith('✓ dms.task.orders-cdc.start'));
    expect(created, result.stdout).toBeGreaterThanOrEqual(0);
    expect(assessed).toBeGreaterThan(created);
    expect(started).toBeGreaterThan(assessed);
    expect(out[assessed]).toContain('postgres-check-replication-slots-count');
    expect(world.dms.count('StartReplicationTaskAssessmentRun')).toBe(1);

    // A second apply adopts what ran: no second run, no second Modify.
    const again = await world.run('apply');
    expect(again.code).toBe(0);
    expect(world.dms.count('StartReplicationTaskAssessmentRun')).toBe(1);
    expect(rds.count('ModifyDBParameterGroup')).toBe(1);
  });

  it('cutover puts the group value back before writes open; cleanup leaves it so', async () => {
    expect((await world.run('approve', ['cutover'])).code).toBe(0);
    world.agent.simulateConsumer = true;
    const result = await world.run('cutover');
    expect(result.stderr).not.toMatch(/error|failed/i);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('✓ cutover.parameter-group.revert');
    expect(await role()).toBe('origin');
    expect(rds.valueOf(GROUP, 'session_replication_role')).not.toBe('replica');

    expect((await world.run('approve', ['writes-open'])).code).toBe(0);
    expect((await world.run('approve', ['cleanup'])).code).toBe(0);
    const cleanup = await world.run('cleanup');
    expect(cleanup.code).toBe(0);
    expect(await role()).toBe('origin');
    const states = Object.values(nodeStates(await world.journal()));
    expect(states.every((state) => state === 'succeeded')).toBe(true);
  });
});
