// PostgreSQL versions as numbers, in one place for the compiler, the agent, init and the catalog:
// `server_version_num` (9.5.21 → 90521, 16.4 → 160004) is what every comparison uses; the text forms
// are for plans and messages. Before 10 the major is two numbers (9.5), from 10 on it is one (16).

/** `"9.5.21"` → 90521, `"16.4"` → 160004; text after the number is ignored (`"16.4 (Debian 16.4-1)"`). */
export function versionNumOf(text: string): number | null {
  const match = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(text.trim());
  if (!match) return null;
  const [first, second, third] = [match[1], match[2], match[3]].map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
  ];
  return first < 10 ? first * 10000 + second * 100 + third : first * 10000 + second;
}

/** 90521 → 90500, 160004 → 160000: the major as a number that compares with other versions. */
export function majorNum(versionNum: number): number {
  return versionNum >= 100000 ? Math.floor(versionNum / 10000) * 10000 : Math.floor(versionNum / 100) * 100;
}

/** 90521 → `9.5`, 160004 → `16`. */
export function majorName(versionNum: number): string {
  if (versionNum >= 100000) return String(Math.floor(versionNum / 10000));
  return `${Math.floor(versionNum / 10000)}.${Math.floor(versionNum / 100) % 100}`;
}

/** 90521 → `9.5.21`, 160004 → `16.4`. */
export function versionName(versionNum: number): string {
  return versionNum >= 100000
    ? `${Math.floor(versionNum / 10000)}.${versionNum % 10000}`
    : `${majorName(versionNum)}.${versionNum % 100}`;
}
