// The target SQL runs on real PostgreSQL: 12 as the source the sequence values are read from, 16 as
// the target the artifacts prepare and restore.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cutoverSql, prepareSql, SEQUENCE_READ_SQL, sequencesSql } from '../../../compiler/emit/target-sql.js';
import type { FkStrategy, Plan } from '../../../compiler/model/plan.js';
import { splitSql } from '../../../executor/sql-split.js';
import { basePlan, planWith, transformation } from '../../support/base-plan.js';
import { type PgCluster, startCluster } from '../../support/pg-cluster.js';

const SCHEMA = `
  DROP SCHEMA IF EXISTS app CASCADE;
  CREATE SCHEMA app;
  CREATE TABLE app.parent (id serial PRIMARY KEY);
  CREATE TABLE app.child (id bigserial PRIMARY KEY, parent_id int REFERENCES app.parent (id));
  CREATE TABLE app.order_x (id int PRIMARY KEY, parent_id int REFERENCES app.parent (id));
  CREATE SEQUENCE app.free_seq START 7;`;

function planFor(
  fk: FkStrategy,
  include = ['app.%'],
  exclude = ['app.order[_]x'],
  kind: Plan['target']['kind'] = 'rds',
): Plan {
  return planWith({
    target: { kind, fk_strategy: fk, parameter_group: fk === 'parameter_group' ? 'orders-pg16' : null },
    dms: { tasks: [{ ...basePlan.dms.tasks[0]!, tables: { include, exclude } }] },
  });
}

/** app → shop, and every table prefixed with old_ (the exclude follows: app.order[_]x → shop.old_order[_]x). */
function renamedPlan(fk: FkStrategy): Plan {
  const plan = planFor(fk, undefined, undefined, 'self-managed');
  const task = {
    ...plan.dms.tasks[0]!,
    transformations: [
      transformation({ target: 'schema', action: 'rename', schema: 'app', value: 'shop' }),
      transformation({ target: 'table', action: 'add-prefix', schema: 'app', table: '%', value: 'old_' }),
    ],
  };
  return { ...plan, dms: { ...plan.dms, tasks: [task] } };
}

let source: PgCluster;
let target: PgCluster;
let client: pg.Client;

/** As the executor runs an artifact statement by statement (ALTER SYSTEM refuses a transaction). */
async function run(sql: string): Promise<void> {
  for (const statement of splitSql(sql)) await client.query(statement);
}

async function triggerStates(): Promise<Record<string, string>> {
  const result = await client.query(
    `SELECT c.relname, string_agg(DISTINCT t.tgenabled::text, '') AS states
     FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'app' GROUP BY 1 ORDER BY 1`,
  );
  return Object.fromEntries(result.rows.map((row) => [row.relname, row.states]));
}

beforeAll(async () => {
  [source, target] = await Promise.all([startCluster({ major: 12 }), startCluster({ major: 16 })]);
  client = new pg.Client({ connectionString: target.connectionString() });
  await client.connect();
});

afterAll(async () => {
  await client?.end();
  await Promise.all([source?.stop(), target?.stop()]);
});

describe('prepare.sql and cutover.sql', () => {
  test('disable_triggers on a self-managed target: selected tables lose FK enforcement until cutover; excluded ones keep it', async () => {
    await client.query(SCHEMA);
    const plan = planFor('disable_triggers', undefined, undefined, 'self-managed');
    await run(prepareSql(plan, 'orders', 'orders'));
    expect(await triggerStates()).toEqual({ child: 'D', order_x: 'O', parent: 'D' });
    await client.query('INSERT INTO app.child (parent_id) VALUES (999)');
    await run(cutoverSql(plan, 'orders', 'orders'));
    expect(await triggerStates()).toEqual({ child: 'O', order_x: 'O', parent: 'O' });
    await expect(client.query('INSERT INTO app.child (parent_id) VALUES (998)')).rejects.toThrow(/foreign key/);
  });

  describe('disable_triggers on RDS, run as the non-superuser owner of the tables', () => {
    let owner: pg.Client;

    beforeAll(async () => {
      await client.query(`${SCHEMA}
        DROP ROLE IF EXISTS app_owner; CREATE ROLE app_owner LOGIN;
        ALTER SCHEMA app OWNER TO app_owner;
        ALTER TABLE app.parent OWNER TO app_owner; ALTER TABLE app.child OWNER TO app_owner;
        ALTER TABLE app.order_x OWNER TO app_owner;
        CREATE FUNCTION app.audit() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
        CREATE TRIGGER audit BEFORE INSERT ON app.child FOR EACH ROW EXECUTE PROCEDURE app.audit();`);
      owner = new pg.Client({ connectionString: target.connectionString('postgres', 'app_owner') });
      await owner.connect();
    });

    afterAll(async () => {
      await owner?.end();
      // The later tests expect the schema as the first test left it, owned by the superuser.
      await client.query(`${SCHEMA} DROP ROLE app_owner;`);
    });

    const runAsOwner = async (sql: string) => {
      for (const statement of splitSql(sql)) await owner.query(statement);
    };

    test('DISABLE TRIGGER ALL, what a self-managed target gets, is refused to the owner once a foreign key exists', async () => {
      await expect(
        runAsOwner(prepareSql(planFor('disable_triggers', undefined, undefined, 'self-managed'), 'orders', 'orders')),
      ).rejects.toThrow(/permission denied.*system trigger/);
    });

    test('prepare refuses while a foreign key would stay enforced, naming it and what to do', async () => {
      const failure = runAsOwner(prepareSql(planFor('disable_triggers'), 'orders', 'orders'));
      await expect(failure).rejects.toThrow(/foreign key child_parent_id_fkey on app\.child would stay enforced/);
      await expect(failure).rejects.toMatchObject({ hint: expect.stringContaining('post_load_sql') });
      expect(await triggerStates()).toEqual({ child: 'O', order_x: 'O', parent: 'O' });
    });

    test('without foreign keys yet, prepare disables the user triggers and cutover restores them', async () => {
      await client.query(
        'ALTER TABLE app.child DROP CONSTRAINT child_parent_id_fkey; ALTER TABLE app.order_x DROP CONSTRAINT order_x_parent_id_fkey',
      );
      const plan = planFor('disable_triggers');
      await runAsOwner(prepareSql(plan, 'orders', 'orders'));
      expect(await triggerStates()).toEqual({ child: 'D' });
      await runAsOwner(cutoverSql(plan, 'orders', 'orders'));
      expect(await triggerStates()).toEqual({ child: 'O' });
    });
  });

  test('alter_system: every new session is a replica until cutover resets it', async () => {
    const plan = planFor('alter_system');
    await run(prepareSql(plan, 'orders', 'orders'));
    const check = async () => {
      const fresh = new pg.Client({ connectionString: target.connectionString() });
      await fresh.connect();
      const value = (await fresh.query('SHOW session_replication_role')).rows[0].session_replication_role;
      await fresh.end();
      return value;
    };
    expect(await check()).toBe('replica');
    await run(cutoverSql(plan, 'orders', 'orders'));
    expect(await check()).toBe('origin');
  });

  test('parameter_group: prepare refuses to go on while sessions are still origin', async () => {
    await expect(run(prepareSql(planFor('parameter_group'), 'orders', 'orders'))).rejects.toThrow(
      /session_replication_role is origin, expected replica/,
    );
    await run(cutoverSql(planFor('parameter_group'), 'orders', 'orders'));
  });

  test('after_connect_script: the migration user may set session_replication_role', async () => {
    await run(prepareSql(planFor('after_connect_script'), 'orders', 'orders'));
    await run(cutoverSql(planFor('after_connect_script'), 'orders', 'orders'));
  });

  test('pre_created: %.% on a target database without user tables stops the run (pg_catalog does not count)', async () => {
    await client.query('CREATE DATABASE empty_target');
    const empty = new pg.Client({ connectionString: target.connectionString('empty_target') });
    await empty.connect();
    try {
      const sql = prepareSql(planFor('after_connect_script', ['%.%'], []), 'orders', 'orders');
      await expect(
        (async () => {
          for (const statement of splitSql(sql)) await empty.query(statement);
        })(),
      ).rejects.toThrow(/no target table matches %\.%/);
      await empty.query('CREATE TABLE public.t (id int PRIMARY KEY)');
      for (const statement of splitSql(sql)) await empty.query(statement);
    } finally {
      await empty.end();
    }
  });

  test('transformations: the SQL follows a schema rename and a table prefix to the target names', async () => {
    await client.query(`${SCHEMA}
      DROP SCHEMA IF EXISTS shop CASCADE;
      ALTER SCHEMA app RENAME TO shop;
      ALTER TABLE shop.parent RENAME TO old_parent;
      ALTER TABLE shop.child RENAME TO old_child;
      ALTER TABLE shop.order_x RENAME TO old_order_x;`);
    const plan = renamedPlan('disable_triggers');
    await run(prepareSql(plan, 'orders', 'orders'));
    const states = await client.query(
      `SELECT c.relname, string_agg(DISTINCT t.tgenabled::text, '') AS states
       FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'shop' GROUP BY 1 ORDER BY 1`,
    );
    expect(Object.fromEntries(states.rows.map((row) => [row.relname, row.states]))).toEqual({
      old_child: 'D',
      old_order_x: 'O',
      old_parent: 'D',
    });
    await run(cutoverSql(plan, 'orders', 'orders'));
    await client.query('DROP SCHEMA shop CASCADE');
  });

  test('transformations: pre_created checks the renamed tables, not the source names', async () => {
    await client.query(`${SCHEMA} DROP SCHEMA IF EXISTS shop CASCADE;`);
    await expect(run(prepareSql(renamedPlan('after_connect_script'), 'orders', 'orders'))).rejects.toThrow(
      /no target table matches shop\.old_%/,
    );
  });

  test('pre_created: an include pattern that matches no target table stops the run', async () => {
    const plan = planFor('after_connect_script', ['app.%', 'billing.%']);
    await expect(run(prepareSql(plan, 'orders', 'orders'))).rejects.toThrow(/no target table matches billing\.%/);
  });
});

describe('sequences.sql', () => {
  test('every source sequence, owned or not, is set past the source value on the target', async () => {
    await source.query(`${SCHEMA}
      INSERT INTO app.parent DEFAULT VALUES; INSERT INTO app.parent DEFAULT VALUES;
      SELECT nextval('app.free_seq'); SELECT nextval('app.free_seq');
      CREATE SEQUENCE app.only_on_source;`);
    await client.query(SCHEMA);
    const read = new pg.Client({ connectionString: source.connectionString() });
    await read.connect();
    const values = (await read.query(SEQUENCE_READ_SQL)).rows;
    await read.end();
    expect(values).toEqual([
      { schema: 'app', name: 'child_id_seq', last_value: '1', is_called: false },
      { schema: 'app', name: 'free_seq', last_value: '8', is_called: true },
      { schema: 'app', name: 'only_on_source', last_value: '1', is_called: false },
      { schema: 'app', name: 'parent_id_seq', last_value: '2', is_called: true },
    ]);
    const applied = await client.query(sequencesSql(basePlan, 'orders', 'orders'), [JSON.stringify(values)]);
    expect(applied.rows).toEqual([
      { schema: 'app', name: 'child_id_seq', value: '1001' },
      { schema: 'app', name: 'free_seq', value: '1008' },
      { schema: 'app', name: 'parent_id_seq', value: '1002' },
    ]);
    expect((await client.query("SELECT nextval('app.parent_id_seq') AS v")).rows[0].v).toBe('1003');

    // The same source values land in the renamed schema when the task renames app to shop.
    await client.query('DROP SCHEMA IF EXISTS shop CASCADE; ALTER SCHEMA app RENAME TO shop');
    const renamed = await client.query(sequencesSql(renamedPlan('after_connect_script'), 'orders', 'orders'), [
      JSON.stringify(values),
    ]);
    expect(renamed.rows).toEqual([
      { schema: 'shop', name: 'child_id_seq', value: '1001' },
      { schema: 'shop', name: 'free_seq', value: '1008' },
      { schema: 'shop', name: 'parent_id_seq', value: '1002' },
    ]);
    await client.query('DROP SCHEMA shop CASCADE');
  });
});
