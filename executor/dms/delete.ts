// Deleting a DMS resource as DMS answers: a delete refused because something still uses the resource
// (a task on an endpoint or an instance) waits for those dependents only while they are being deleted,
// then asks again; one that nothing will remove fails at once, naming it. A wait for a deletion ends at
// the first answer that says the deletion is not happening (the resource back in another state), with
// what DMS said, instead of polling until the poll budget runs out.

import { NodeFailure } from '../types.js';
import type { WaitKind } from '../waits.js';
import { type DmsOps, isInvalidState, isNotFound } from './ops.js';

export interface Dependent {
  /** How the operator knows it: `replication task orders-cdc`. */
  readonly name: string;
  readonly status: string;
}

export interface Deletable<R> {
  /** `endpoint shopx-orders-src`, for messages. */
  readonly what: string;
  read(): Promise<R | null>;
  status(resource: R): string;
  remove(resource: R): Promise<unknown>;
  /** What must be gone before DMS deletes this resource (tasks using an endpoint, tasks on an instance). */
  dependents(resource: R): Promise<readonly Dependent[]>;
  /** Passing states DMS refuses a delete in (creating, modifying…): wait for them to pass, then delete. */
  readonly settling: readonly string[];
  /** Whose timeout the waits take (a task's: the plan's task timeout); none: the poll budget. */
  readonly waitKind?: WaitKind;
}

const DELETING = 'deleting';

/** How often a refused delete is asked again after what refused it went away. */
const MAX_ATTEMPTS = 4;

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
const named = (list: readonly Dependent[]) => list.map((item) => `${item.name} (${item.status})`).join(', ');

/** Deletes the resource and waits until DMS no longer lists it; false when there was nothing to delete. */
export async function deleteResource<R>(dms: DmsOps, target: Deletable<R>): Promise<boolean> {
  let requested = false;
  for (let attempt = 1; ; attempt += 1) {
    const current = await target.read();
    if (current === null) return requested;
    if (target.status(current) === DELETING) break;
    try {
      await target.remove(current);
      requested = true;
      break;
    } catch (error) {
      if (isNotFound(error)) return requested;
      if (!isInvalidState(error)) throw error;
      if (attempt >= MAX_ATTEMPTS)
        throw new NodeFailure(`${target.what}: DMS still refuses to delete it: ${messageOf(error)}`);
      await waitForWhatRefused(dms, target, current, messageOf(error));
    }
  }
  await dms.waitFor(
    `deleting ${target.what}`,
    () => target.read(),
    (resource) => resource === null,
    (resource) =>
      resource !== null && target.status(resource) !== DELETING
        ? `DMS reports it ${target.status(resource)}, not deleting: the deletion is not happening`
        : null,
    {
      kind: target.waitKind ?? null,
      show: (resource) => (resource === null ? 'gone' : `status ${target.status(resource)}`),
    },
  );
  return true;
}

/**
 * After DMS refused a delete: waits for dependents that are being deleted, or for a passing state to
 * pass; anything else (a dependent nobody deletes, a state that does not pass) fails now, with DMS's words.
 */
async function waitForWhatRefused<R>(dms: DmsOps, target: Deletable<R>, current: R, refusal: string): Promise<void> {
  const dependents = await target.dependents(current);
  const staying = dependents.filter((item) => item.status !== DELETING);
  if (staying.length > 0) {
    throw new NodeFailure(
      `${target.what}: DMS refuses to delete it (${refusal}): still used by ${named(staying)}, which this run does not delete; delete ${staying.length === 1 ? 'it' : 'them'} first, then run cleanup again`,
    );
  }
  if (dependents.length > 0) {
    await dms.waitFor(
      `${target.what}: waiting for ${named(dependents)} to be deleted first`,
      () => target.dependents(current),
      (list) => list.length === 0,
      (list) => {
        const stopped = list.filter((item) => item.status !== DELETING);
        return stopped.length > 0 ? `${named(stopped)} is no longer being deleted` : null;
      },
    );
    return;
  }
  const status = target.status(current);
  if (target.settling.includes(status)) {
    await dms.waitFor(
      `${target.what}: waiting for it to leave ${status} before deleting it`,
      () => target.read(),
      (resource) => resource === null || !target.settling.includes(target.status(resource)),
      () => null,
      {
        kind: target.waitKind ?? null,
        show: (resource) => (resource === null ? 'gone' : `status ${target.status(resource)}`),
      },
    );
    return;
  }
  throw new NodeFailure(`${target.what}: DMS refuses to delete it (status ${status}): ${refusal}`);
}
