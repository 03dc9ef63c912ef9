import { describe, expect, it } from 'vitest';
import { diffPlans } from '../../diff/plan-diff.js';
import { renderJson } from '../../diff/render/json.js';
import { renderMarkdown } from '../../diff/render/markdown.js';
import { diffMermaid } from '../../diff/render/mermaid.js';
import { renderText } from '../../diff/render/text.js';
import { mermaidBlocks, mermaidParse } from './support/mermaid.js';
import { artifactsWith, baseInstance, graphOf, node, side, task } from './support/sides.js';

const oldGraph = graphOf(
  [
    node('source.preflight'),
    node('dms.instance.orders-ri.create', { title: 'Create "orders-ri" [dms.t3]' }),
    node('gone'),
  ],
  [
    ['source.preflight', 'dms.instance.orders-ri.create'],
    ['source.preflight', 'gone'],
  ],
);
const newGraph = graphOf(
  [
    node('source.preflight'),
    node('dms.instance.orders-ri.create', { title: 'Create "orders-ri" [dms.r6i]', input: { class: 'dms.r6i.large' } }),
    node('target.orders.prepare', { title: 'Prepare <orders> & co' }),
  ],
  [
    ['source.preflight', 'dms.instance.orders-ri.create'],
    ['source.preflight', 'target.orders.prepare'],
  ],
);
const diff = diffPlans(
  side('old', { graph: oldGraph }),
  side('new', {
    graph: newGraph,
    artifacts: artifactsWith({
      'dms/replication-instance.json': { ...baseInstance, ReplicationInstanceClass: 'dms.r6i.large' },
    }),
  }),
);

describe('renderers', () => {
  it('draws added, removed (from the old graph) and changed nodes with their own class', async () => {
    const { mermaid, trimmed } = diffMermaid(oldGraph, newGraph, diff.graph);
    expect(trimmed).toBe(false);
    expect(diff.graph).toEqual({
      added: ['target.orders.prepare'],
      removed: ['gone'],
      changed: ['dms.instance.orders-ri.create'],
    });
    expect(mermaid).toContain('class n2 added');
    expect(mermaid).toContain('class n3 removed');
    expect(mermaid).toContain('class n1 changed');
    expect(mermaid).toContain('n0 --> n3');
    await expect(mermaidParse(mermaid)).resolves.toMatchObject({ diagramType: 'flowchart-v2' });
  });

  it('writes a markdown comment whose Mermaid block parses', async () => {
    const markdown = renderMarkdown(diff);
    expect(markdown).toContain('- 🟠 **medium**: replication instance');
    expect(markdown).toContain(
      '<details><summary><code>dms/replication-instance.json</code>: changed (+1 −1)</summary>',
    );
    expect(markdown).toContain('```diff\n--- a/dms/replication-instance.json');
    const blocks = mermaidBlocks(markdown);
    expect(blocks).toHaveLength(1);
    await expect(mermaidParse(blocks[0]!)).resolves.toBeDefined();
  });

  it('is empty in text and markdown, and says changed: false in JSON, when nothing changed', () => {
    const same = diffPlans(side('old'), side('new'));
    expect(renderText(same)).toBe('');
    expect(renderMarkdown(same)).toBe('');
    expect(JSON.parse(renderJson(same))).toMatchObject({ changed: false, impact: [], artifacts: [] });
  });

  it('colours text only when asked', () => {
    expect(renderText(diff)).not.toContain('\x1b[');
    expect(renderText(diff, { color: true })).toContain('\x1b[33m[medium]');
  });

  it('prints a patch of more lines than a call can take as arguments (a task of 10k listed tables)', () => {
    const huge = Array.from({ length: 200_000 }, (_, i) => `SELECT ${i};`).join('\n');
    const sql = side('new', { artifacts: artifactsWith({ 'target/orders/prepare.sql': `${huge}\n` }) });
    const text = renderText(diffPlans(side('old'), sql));
    expect(text).toContain('+SELECT 199999;\n');
  });

  it('fences patches that contain backticks with a longer fence', () => {
    const sql = side('new', { artifacts: artifactsWith({ 'target/orders/prepare.sql': 'SELECT 1; -- ```\n' }) });
    const markdown = renderMarkdown(diffPlans(side('old'), sql));
    expect(markdown).toContain('````diff\n');
  });

  it('fences a patch with more backtick runs than a call can take as arguments', () => {
    const sql = side('new', { artifacts: artifactsWith({ 'target/orders/prepare.sql': '`x'.repeat(200_000) }) });
    // Too large for the comment, so listed; the fence is still computed while deciding that.
    expect(renderMarkdown(diffPlans(side('old'), sql))).toMatch(/^- `target\/orders\/prepare\.sql`: /m);
  });

  it('leaves patches out, listed, when the comment would pass its size budget', async () => {
    const full = renderMarkdown(diff);
    const markdown = renderMarkdown(diff, { budget: full.length - 100 });
    expect(full).toContain('```diff\n--- a/dms/replication-instance.json');
    expect(markdown).not.toContain('```diff\n--- a/dms/replication-instance.json');
    expect(markdown).toContain('Left out to fit a pull-request comment (run `pgferry diff` to see them):');
    expect(markdown).toContain('- `dms/replication-instance.json`: changed (+1 −1)');
    await expect(mermaidParse(mermaidBlocks(markdown)[0]!)).resolves.toBeDefined();
  });

  it('keeps only changed nodes and their neighbours when the picture would pass its budget', async () => {
    const chain = graphOf(
      [node('a'), node('b'), node('c')],
      [
        ['a', 'b'],
        ['b', 'c'],
      ],
    );
    const longer = graphOf(
      [node('a'), node('b'), node('c'), node('d')],
      [
        ['a', 'b'],
        ['b', 'c'],
        ['c', 'd'],
      ],
    );
    const change = { added: ['d'], removed: [], changed: [] };
    expect(diffMermaid(chain, longer, change).trimmed).toBe(false);
    const { mermaid, trimmed } = diffMermaid(chain, longer, change, 100);
    expect(trimmed).toBe(true);
    expect(mermaid).toContain('"+ d"');
    expect(mermaid).toContain('"c"');
    expect(mermaid).not.toContain('"a"');
    expect(mermaid).not.toContain('"b"');
    await expect(mermaidParse(mermaid)).resolves.toBeDefined();
  });

  it('stays within the comment budget however large the change', async () => {
    const many = (settings: number) =>
      Object.fromEntries(
        Array.from({ length: 300 }, (_, i) => [
          `dms/tasks/t${i}.json`,
          task(`t${i}`, {
            ReplicationTaskSettings: JSON.stringify({ FullLoadSettings: { MaxFullLoadSubTasks: settings } }),
          }),
        ]),
      );
    const big = diffPlans(
      side('old', { artifacts: artifactsWith(many(8)) }),
      side('new', { artifacts: artifactsWith(many(16)) }),
    );
    expect(big.impact).toHaveLength(300);
    const markdown = renderMarkdown(big, { budget: 20_000 });
    expect(markdown.length).toBeLessThanOrEqual(20_000);
    expect(markdown).toMatch(/^- … \d+ more, less risky \(run `pgferry diff` to see them\)$/m);
    expect(markdown).toMatch(/^- … and \d+ more$/m);
    await expect(mermaidParse(mermaidBlocks(markdown)[0]!)).resolves.toBeDefined();
  });
});
