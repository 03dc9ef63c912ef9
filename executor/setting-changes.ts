// The settings an agent plan changes, as the journal keeps them (`name from → to`, `; ` apart, in the
// config apply's `settingChanges` output) and as people must read them before consenting: a value that
// goes down (fewer replication slots or WAL senders than now) is called out, since it can stop a
// restart or starve a consumer that uses the current capacity.

export interface SettingChange {
  readonly name: string;
  readonly from: string;
  readonly to: string;
}

const ARROW = ' → ';

export function formatSettingChange(change: SettingChange): string {
  return `${change.name} ${change.from}${ARROW}${change.to}`;
}

export function parseSettingChanges(text: string): SettingChange[] {
  return text
    .split('; ')
    .filter((part) => part.includes(ARROW))
    .map((part) => {
      const space = part.indexOf(' ');
      const [from, to] = part.slice(space + 1).split(ARROW) as [string, string];
      return { name: part.slice(0, space), from, to };
    });
}

/** True when both values are numbers and the new one is smaller (a timeout set to 0 is switched off, not lowered). */
export function isDecrease(change: SettingChange): boolean {
  const from = Number(change.from);
  const to = Number(change.to);
  if (change.from.trim() === '' || change.to.trim() === '' || !Number.isFinite(from) || !Number.isFinite(to))
    return false;
  if (change.name.endsWith('_timeout') && to === 0) return false;
  return to < from;
}

/** One line per change, a decrease marked so it cannot be missed. */
export function describeSettingChange(change: SettingChange): string {
  return `${formatSettingChange(change)}${isDecrease(change) ? `   ▼ LOWER than now (${change.from})` : ''}`;
}
