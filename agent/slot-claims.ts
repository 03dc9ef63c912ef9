// Slots the executor attributed to a plan (e.g. the slot a DMS full-load-and-cdc task made for itself,
// whose generated name carries no prefix the agent could recognise). A claimed slot is managed like a
// bundle slot: the guarded drop at cutover, abort or cleanup needs no force. Only an existing logical
// slot on the database the claim names can be claimed; a slot nobody claimed is still refused.
// Kept in <state>/slot-claims.json (atomic writes); a claim goes when its slot is dropped. Changes are
// read-modify-write of the whole file, so they run one at a time per file: two CDC tasks on two databases
// claim their slots at the same moment, and a concurrent write would lose one of the claims.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentReply } from '../contracts/agent-api/routes.js';
import { canonicalJson } from '../contracts/canonical-json.js';
import type { AgentContext, Principal } from './context.js';
import { AgentError } from './errors.js';
import { atomicWrite } from './state/atomic-write.js';

export interface SlotClaim {
  readonly database: string;
  /** Who the slot belongs to, e.g. `plan shop task shop-orders`. */
  readonly owner: string;
  readonly claimedAt: string;
}

const file = (ctx: AgentContext) => join(ctx.state.root, 'slot-claims.json');

export async function readClaims(ctx: AgentContext): Promise<Record<string, SlotClaim>> {
  const text = await readFile(file(ctx), 'utf8').catch(() => null);
  return text === null ? {} : ((JSON.parse(text) as { slots?: Record<string, SlotClaim> }).slots ?? {});
}

async function writeClaims(ctx: AgentContext, slots: Record<string, SlotClaim>): Promise<void> {
  await atomicWrite(file(ctx), canonicalJson({ slots }));
}

/** The tail of the changes queued per claims file. */
const changing = new Map<string, Promise<unknown>>();

/** Runs `change` after every earlier change of the same claims file has finished. */
function oneChangeAtATime<T>(ctx: AgentContext, change: () => Promise<T>): Promise<T> {
  const key = file(ctx);
  const run = (changing.get(key) ?? Promise.resolve()).catch(() => undefined).then(change);
  changing.set(key, run);
  return run;
}

export async function isClaimed(ctx: AgentContext, name: string): Promise<boolean> {
  return Object.hasOwn(await readClaims(ctx), name);
}

/** Records `name` as the plan's; the slot must exist, be logical and live on `database`. */
export async function claimSlot(
  ctx: AgentContext,
  name: string,
  body: { database: string; owner: string },
  slot: { slotType: string; database: string | null } | undefined,
  principal: Principal,
): Promise<AgentReply<'slotClaim'>> {
  const audit = {
    kind: 'slot_claim',
    principal: principal.tokenId,
    slot: name,
    database: body.database,
    owner: body.owner,
  };
  if (!slot) throw new AgentError('SLOT_NOT_FOUND', `no replication slot '${name}' to claim`);
  if (slot.slotType !== 'logical' || slot.database !== body.database) {
    await ctx.state.audit({ ...audit, result: 'refused', errorCode: 'SLOT_NOT_ALLOWED' });
    throw new AgentError(
      'SLOT_NOT_ALLOWED',
      `'${name}' is a ${slot.slotType} slot on ${slot.database ?? 'no database'}, not a logical slot on ${body.database}: not claimed`,
    );
  }
  return oneChangeAtATime(ctx, async () => {
    const claims = await readClaims(ctx);
    const before = claims[name];
    if (before?.owner === body.owner && before.database === body.database)
      return { claimed: true, changed: false, slotName: name, ...before };
    const claim: SlotClaim = { database: body.database, owner: body.owner, claimedAt: new Date().toISOString() };
    await writeClaims(ctx, { ...claims, [name]: claim });
    await ctx.state.audit({ ...audit, result: 'claimed' });
    return { claimed: true, changed: true, slotName: name, ...claim };
  });
}

/** Forgets the claim of a dropped slot. */
export async function forgetClaim(ctx: AgentContext, name: string): Promise<void> {
  await oneChangeAtATime(ctx, async () => {
    const claims = await readClaims(ctx);
    if (!Object.hasOwn(claims, name)) return;
    const { [name]: _gone, ...rest } = claims;
    await writeClaims(ctx, rest);
  });
}
