// The shipped monitoring: Prometheus alert rules checked and unit-tested by promtool (Debian's prometheus
// package; .ci/run installs it), and the Grafana dashboard: valid JSON, importable as is (a datasource
// variable, no hard-wired datasource uid), and every metric its queries and the rules name is one the
// agent exports (read from agent/metrics.ts).

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compareText } from '../../contracts/compare.js';

const root = join(import.meta.dirname, '..', '..');
const prometheusDir = join(root, 'deploy', 'prometheus');

/** Metric names the agent exports: every `pg_…`/`pgferry_…` name agent/metrics.ts adds. */
function exportedMetrics(): Set<string> {
  const source = readFileSync(join(root, 'agent', 'metrics.ts'), 'utf8');
  return new Set([...source.matchAll(/'((?:pg|pgferry)_[a-z0-9_]+)'/g)].map((match) => match[1]!));
}

const PROMQL_WORDS = new Set(
  'sum min max avg count stddev stdvar topk bottomk quantile count_values group by without on ignoring group_left group_right bool and or unless offset rate irate increase delta idelta deriv absent absent_over_time clamp_min clamp_max label_values label_replace predict_linear avg_over_time max_over_time min_over_time time vector scalar humanize'.split(
    ' ',
  ),
);

/** The metric names a PromQL expression reads (Grafana's $variables and label matchers removed). */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/\$\{?\w+\}?/g, '');
  const names = new Set<string>();
  for (const match of bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*(\s*\()?/g)) {
    if (match[1] !== undefined) continue;
    const word = match[0].trim();
    if (!PROMQL_WORDS.has(word) && !/^\d/.test(word)) names.add(word);
  }
  return [...names].sort(compareText);
}

function promtool(args: string[]): string {
  return execFileSync('promtool', args, { cwd: prometheusDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

// Grafana's reference to the dashboard's datasource variable.
const DATASOURCE_VARIABLE = '$' + '{datasource}';

// Prometheus's own series, not the agent's.
const PROMETHEUS_SERIES = new Set(['up']);

describe('deploy/prometheus/alerts.yaml', () => {
  it('passes promtool check rules', () => {
    expect(promtool(['check', 'rules', 'alerts.yaml'])).toContain('SUCCESS: 7 rules found');
  });

  it('passes its promtool unit tests (each alert fires when it should, and not before)', () => {
    expect(promtool(['test', 'rules', 'alerts.test.yaml'])).toContain('SUCCESS');
  });

  it('reads only metrics the agent exports', () => {
    const exported = exportedMetrics();
    const rules = parse(readFileSync(join(prometheusDir, 'alerts.yaml'), 'utf8')).groups.flatMap(
      (group: { rules: { alert: string; expr: string }[] }) => group.rules,
    );
    expect(rules.map((rule: { alert: string }) => rule.alert)).toEqual([
      'PgferrySlotRetainedWalHigh',
      'PgferrySlotInactive',
      'PgferrySlotWalUnreserved',
      'PgferrySlotWalLost',
      'PgferryPendingRestartLeftOver',
      'PgferryAgentDown',
      'PgferryPostgresDown',
    ]);
    for (const rule of rules) {
      const unknown = metricNames(rule.expr).filter((name) => !exported.has(name) && !PROMETHEUS_SERIES.has(name));
      expect(unknown, rule.alert).toEqual([]);
    }
  });
});

describe('deploy/grafana/pgferry-agent.json', () => {
  const dashboard = JSON.parse(readFileSync(join(root, 'deploy', 'grafana', 'pgferry-agent.json'), 'utf8'));
  const panels: { id: number; title: string; datasource: { uid: string }; targets: { expr: string }[] }[] =
    dashboard.panels;

  it('is a dashboard Grafana imports as is: a datasource variable, unique panel ids, no fixed datasource', () => {
    expect(dashboard.uid).toBe('pgferry-agent');
    expect(dashboard.templating.list[0]).toMatchObject({ name: 'datasource', type: 'datasource', query: 'prometheus' });
    expect(new Set(panels.map((panel) => panel.id)).size).toBe(panels.length);
    for (const panel of panels) {
      expect(panel.datasource.uid, panel.title).toBe(DATASOURCE_VARIABLE);
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
    }
  });

  it('queries only metrics the agent exports, and shows each thing the agent measures', () => {
    const exported = exportedMetrics();
    const used = new Set<string>();
    const queries = [
      ...panels.flatMap((panel) => panel.targets.map((target) => ({ where: panel.title, expr: target.expr }))),
      ...dashboard.templating.list
        .filter((variable: { type: string }) => variable.type === 'query')
        .map((variable: { name: string; definition: string }) => ({
          where: `$${variable.name}`,
          expr: variable.definition.replace(/^label_values\((.*),\s*\w+\)$/, '$1'),
        })),
    ];
    for (const { where, expr } of queries) {
      const names = metricNames(expr);
      expect(names.length, where).toBeGreaterThan(0);
      for (const name of names) used.add(name);
      expect(
        names.filter((name) => !exported.has(name) && !PROMETHEUS_SERIES.has(name)),
        where,
      ).toEqual([]);
    }
    for (const name of [
      'pg_replication_slots_pg_wal_lsn_diff',
      'pg_replication_slot_slot_confirmed_flush_lsn',
      'pg_replication_slots_active',
      'pg_replication_slot_wal_status',
      'pgferry_pg_pending_restart_settings',
      'pgferry_config_apply_total',
      'pgferry_pg_up',
    ])
      expect(used, name).toContain(name);
  });

  it('the metric-name reader finds names and skips functions, labels, ranges and variables', () => {
    expect(
      metricNames(
        'sum by (result) (increase(pgferry_config_apply_total{instance=~"$instance"}[$__rate_interval])) - up{job="x"} > 10 * 1024',
      ),
    ).toEqual(['pgferry_config_apply_total', 'up']);
    expect(metricNames('pg_replication_slot_wal_status{wal_status="lost"} == 1 and absent(nope_metric)')).toEqual([
      'nope_metric',
      'pg_replication_slot_wal_status',
    ]);
  });
});
