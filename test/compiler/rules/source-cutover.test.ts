import { describe, test } from 'vitest';
import { cutoverRule } from '../../../compiler/rules/cutover.js';
import { patroniRule } from '../../../compiler/rules/patroni.js';
import { sourceAccessRule } from '../../../compiler/rules/source-access.js';
import {
  basePlan,
  cdcPlan,
  cdcTask,
  cdcWith,
  expectRow,
  pgVersion,
  planWith,
  type Row,
  withTasks,
} from './builders.js';

const patroni = { rest_url: 'https://10.0.2.15:8008', scope: 'orders' };

describe('source access', () => {
  const rows: Row[] = [
    { name: 'seed plan passes', plan: basePlan, want: [] },
    {
      name: 'CDC without superuser',
      plan: cdcWith({ source: { migration_user: { superuser: false } } }),
      want: ['PGF3700@/source/migration_user/superuser'],
      words: ['dms_user', 'not a superuser'],
    },
    {
      name: 'full load without superuser passes',
      plan: planWith({ source: { migration_user: { superuser: false } } }),
      want: [],
    },
    { name: 'loopback host', plan: planWith({ source: { host: 'localhost' } }), want: ['PGF3701@/source/host'] },
    // The same address as the rehearsal row below, so that row passes because of the engine alone.
    { name: 'loopback address', plan: planWith({ source: { host: '127.0.0.1' } }), want: ['PGF3701@/source/host'] },
    {
      name: 'a source host with a port',
      plan: planWith({ source: { host: '10.1.4.20:5432' } }),
      want: ['PGF3704@/source/host'],
      words: ['includes a port', 'write "10.1.4.20" here and source.port: 5432'],
    },
    {
      name: 'a target host given as a connection URL',
      plan: planWith({ target: { host: 'postgres://orders.abc.eu-west-1.rds.amazonaws.com:5432/orders' } }),
      want: ['PGF3704@/target/host'],
      words: ['is a url', 'target.port'],
    },
    {
      name: 'a bracketed IPv6 address with a port',
      plan: planWith({ source: { host: '[fd00:10::7]:5433' } }),
      want: ['PGF3704@/source/host'],
      words: ['write "fd00:10::7" here and source.port: 5433'],
    },
    {
      name: 'an IPv4 address with an octet over 255',
      plan: planWith({ source: { host: '10.1.4.300' } }),
      want: ['PGF3704@/source/host'],
      words: ['not a valid ipv4 address'],
    },
    {
      name: 'a DNS label with an underscore',
      plan: planWith({ source: { host: 'db_01.internal' } }),
      want: ['PGF3704@/source/host'],
      words: ['"db_01" is not a dns label'],
    },
    {
      name: 'DNS names, IPv6 and a trailing dot pass',
      plan: planWith({ source: { host: 'ip-10-1-4-20.eu-west-1.compute.internal.' }, target: { host: 'fd00:10::8' } }),
      want: [],
    },
    {
      name: 'loopback host for a logical-replication rehearsal passes',
      plan: planWith({ engine: 'logical', source: { host: '127.0.0.1' } }),
      want: [],
    },
    {
      name: 'migration user among the fenced roles',
      plan: planWith({
        source: { write_roles: ['orders_app', 'dms_user'] },
        cutover: { fence: { roles: ['dms_user'] } },
      }),
      want: ['PGF3702@/cutover/fence/roles/0', 'PGF3702@/source/write_roles/1'],
      words: ['fence'],
    },
    {
      name: 'a protected login that is also fenced',
      plan: planWith({
        source: { protected_logins: [{ type: 'local', database: 'all', user: 'orders_app', address: null }] },
      }),
      want: ['PGF3703@/cutover/fence/roles/0'],
      words: ['orders_app'],
    },
  ];
  test.each(rows)('$name', (row) => expectRow(sourceAccessRule, row));
});

describe('cutover', () => {
  const rows: Row[] = [
    { name: 'CDC plan passes', plan: cdcPlan, want: [] },
    {
      name: 'lag threshold 0',
      plan: cdcWith({ cutover: { max_lag_seconds: 0 } }),
      want: ['PGF3710@/cutover/max_lag_seconds'],
      words: ['never'],
    },
    {
      name: 'lag threshold 15 minutes',
      plan: cdcWith({ cutover: { max_lag_seconds: 900 } }),
      want: ['PGF3710@/cutover/max_lag_seconds'],
    },
    { name: 'lag threshold irrelevant without CDC', plan: planWith({ cutover: { max_lag_seconds: 0 } }), want: [] },
    {
      name: 'CDC with nobody to fence',
      plan: cdcWith({ cutover: { fence: { roles: [] } } }),
      want: ['PGF3711@/cutover/fence/roles'],
      words: ['fences no role'],
    },
    {
      name: 'negative sequence margin',
      plan: planWith({ cutover: { sequences: { enabled: true, margin: -1 } } }),
      want: ['PGF3712@/cutover/sequences/margin'],
    },
    {
      name: 'zero margin under CDC',
      plan: cdcWith({ cutover: { sequences: { enabled: true, margin: 0 } } }),
      want: ['PGF3712@/cutover/sequences/margin'],
      words: ['duplicate key'],
    },
    {
      name: 'CDC slot kept after cleanup',
      plan: cdcWith({ cutover: { cleanup: { stop_task: true, drop_slot: false, dms_resources: 'keep' } } }),
      want: ['PGF3714@/cutover/cleanup/drop_slot'],
      words: ['retains WAL'],
    },
    {
      name: 'CDC task left running after cleanup',
      plan: cdcWith({ cutover: { cleanup: { stop_task: false, drop_slot: true, dms_resources: 'delete' } } }),
      want: ['PGF3715@/cutover/cleanup/stop_task'],
    },
    {
      name: 'keeping everything is fine without CDC',
      plan: planWith({ cutover: { cleanup: { stop_task: false, drop_slot: false, dms_resources: 'keep' } } }),
      want: [],
    },
    {
      name: 'sequence sync off',
      plan: planWith({ cutover: { sequences: { enabled: false, margin: 0 } } }),
      want: ['PGF3713@/cutover/sequences/enabled'],
    },
  ];
  test.each(rows)('$name', (row) => expectRow(cutoverRule, row));
});

describe('patroni', () => {
  const rows: Row[] = [
    { name: 'no Patroni passes', plan: cdcPlan, want: [] },
    { name: 'Patroni with full load only passes', plan: planWith({ source: { patroni } }), want: [] },
    {
      name: 'CDC on Patroni: ignore_slots snippet',
      plan: cdcWith({ source: { patroni } }),
      want: ['PGF3720@/dms/tasks/0'],
      words: ['ignore_slots'],
    },
    {
      name: 'named slot on Patroni 10 cannot be permanent',
      plan: withTasks(
        [cdcTask({ migration_type: 'cdc', slot_name: 'dms_orders' })],
        cdcWith({ source: { patroni, version: pgVersion('10.23'), auth_method: 'md5' } }),
      ),
      want: ['PGF3720@/dms/tasks/0', 'PGF3721@/dms/tasks/0/slot_name'],
      words: ['patroni'],
    },
    {
      name: 'bad Patroni URL',
      plan: planWith({ source: { patroni: { rest_url: '10.0.2.15:8008', scope: 'orders' } } }),
      want: ['PGF3722@/source/patroni/rest_url'],
    },
  ];
  test.each(rows)('$name', (row) => expectRow(patroniRule, row));
});
