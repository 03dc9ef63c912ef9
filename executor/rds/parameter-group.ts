// fk_strategy parameter_group, the two steps: set session_replication_role = replica in the target's
// parameter group before the load, and put back the value it had at cutover (and on abort). Each step
// checks the group is the one attached to the instance (cluster), waits until every instance reports
// it `in-sync`, and checks the value from a new session on every target database. The value before the
// change is written to the journal before anything is modified, so a run cut short anywhere resumes
// with it (and a second apply never takes pgferry's own `replica` for the value to restore).

import type { RdsParameterGroupTarget } from '../../contracts/node-inputs.js';
import type { NodeResult, RunContext } from '../types.js';
import { NodeFailure } from '../types.js';
import { type AttachedGroup, explainRdsError, type MemberStatus, RdsOps } from './ops.js';
import { checkNewSessions } from './session-check.js';

/** The value a new session shows when the group leaves the parameter to the engine. */
const ENGINE_DEFAULT = 'origin';

const ops = (ctx: RunContext) => new RdsOps({ client: ctx.rds, sleep: ctx.sleep });

function groupWord(target: RdsParameterGroupTarget): string {
  return target.kind === 'aurora' ? 'DB cluster parameter group' : 'DB parameter group';
}

function holderWord(target: RdsParameterGroupTarget): string {
  return `${target.kind === 'aurora' ? 'DB cluster' : 'DB instance'} ${target.identifier}`;
}

function checkAttached(target: RdsParameterGroupTarget, attached: AttachedGroup): void {
  if (attached.name === target.parameterGroup) return;
  throw new NodeFailure(
    `${groupWord(target)} ${target.parameterGroup} is not the one attached to ${holderWord(target)}: it uses ` +
      `${attached.name || 'none'}. Name the attached group in target.parameter_group (a custom group: default.* ` +
      `groups cannot be modified), or attach ${target.parameterGroup} to the ${target.kind === 'aurora' ? 'cluster' : 'instance'} first`,
  );
}

const describeMembers = (members: readonly MemberStatus[]) =>
  members.map((member) => `${member.instance} ${member.status}`).join(', ');

/**
 * Polls until no instance is still `applying`. `in-sync` is done; `pending-reboot` means the group also
 * holds a static change waiting for a reboot: the dynamic parameter is applied regardless, and the new
 * sessions decide. `failed-to-apply` and `pending-database-upgrade` stop the node.
 */
async function waitApplied(rds: RdsOps, target: RdsParameterGroupTarget, ctx: RunContext): Promise<string> {
  for (let poll = 0; poll < Math.max(1, ctx.maxPolls); poll += 1) {
    const attached = await rds.attached(target);
    checkAttached(target, attached);
    if (attached.members.length === 0) throw new NodeFailure(`${holderWord(target)} has no DB instance to apply to`);
    const stuck = attached.members.filter(
      (m) => m.status === 'failed-to-apply' || m.status === 'pending-database-upgrade',
    );
    if (stuck.length > 0)
      throw new NodeFailure(`${groupWord(target)} ${target.parameterGroup} is not applied: ${describeMembers(stuck)}`);
    if (attached.members.every((m) => m.status === 'in-sync' || m.status === 'pending-reboot'))
      return describeMembers(attached.members);
    ctx.log(`waiting for ${target.parameterGroup}: ${describeMembers(attached.members)}`);
    await ctx.sleep(ctx.pollMs);
  }
  throw new NodeFailure(`${groupWord(target)} ${target.parameterGroup} still applying after ${ctx.maxPolls} polls`);
}

function shown(value: string): string {
  return value === '' ? `${ENGINE_DEFAULT} (engine default)` : value;
}

export async function parameterGroupApply(
  target: RdsParameterGroupTarget,
  request: unknown,
  nodeId: string,
  ctx: RunContext,
): Promise<NodeResult> {
  const rds = ops(ctx);
  const action = `parameter group ${target.parameterGroup}`;
  let previous: string;
  let status: string;
  try {
    checkAttached(target, await rds.attached(target));
    const recorded = ctx.outputsOf(nodeId)?.previousValue;
    if (typeof recorded === 'string') previous = recorded;
    else {
      const current = await rds.parameter(target);
      if (current.value === 'replica')
        throw new NodeFailure(
          `${groupWord(target)} ${target.parameterGroup} already sets ${target.parameter} = replica before pgferry ` +
            'changed it: restoring that at cutover would leave the application without foreign key checks. ' +
            'Set it back to origin (or reset it) and run apply again, or use fk_strategy after_connect_script',
        );
      previous = current.value;
      // In the journal before the change: a run cut short after the Modify still knows what to restore.
      await ctx.recordOutputs({ previousValue: previous });
    }
    await rds.modify(target, request);
    status = await waitApplied(rds, target, ctx);
  } catch (error) {
    throw explainRdsError(error, target, action);
  }
  const checked = await checkNewSessions(ctx, target.connections, target.parameter, 'replica');
  return {
    status: 'succeeded',
    outputs: { previousValue: previous, applyStatus: status, checkedDatabases: checked.join(',') },
    note:
      `${groupWord(target)} ${target.parameterGroup} on ${holderWord(target)}: ${target.parameter} = replica ` +
      `(was ${shown(previous)}, restored at cutover or abort); ${status}; new sessions on ${checked.join(', ')} see replica`,
  };
}

export async function parameterGroupRevert(
  target: RdsParameterGroupTarget,
  previous: string,
  restore: unknown,
  reset: unknown,
  ctx: RunContext,
): Promise<NodeResult> {
  const rds = ops(ctx);
  const action = `parameter group ${target.parameterGroup}`;
  let status: string;
  let changed: boolean;
  try {
    const current = await rds.parameter(target);
    changed = previous === '' ? current.value !== '' : current.value !== previous;
    if (changed) {
      if (previous === '') await rds.reset(target, reset);
      else await rds.modify(target, restore);
    }
    status = await waitApplied(rds, target, ctx);
  } catch (error) {
    throw explainRdsError(error, target, action);
  }
  const expected = previous === '' ? ENGINE_DEFAULT : previous;
  const checked = await checkNewSessions(ctx, target.connections, target.parameter, expected);
  return {
    status: 'succeeded',
    outputs: { restoredValue: previous, applyStatus: status, checkedDatabases: checked.join(',') },
    note:
      `${groupWord(target)} ${target.parameterGroup}: ${target.parameter} back to ${shown(previous)}` +
      `${changed ? '' : ' (it already was)'}; ${status}; new sessions on ${checked.join(', ')} see ${expected}`,
  };
}
