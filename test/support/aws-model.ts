// Checks a value against an AWS API model as the SDK ships it (its runtime schemas, the same shapes as
// botocore's service-2.json): unknown members, missing required members and wrong scalar types are
// reported, as the CLI's parameter validation (and the service itself) would. Used on the compiler's
// DMS requests (golden files) and by the HTTP stand-in on every request it receives.
//
// Schema tuples: [3, ns, name, traits, memberNames, memberSchemas, requiredCount] for structures (the
// first requiredCount members are required), [1, ns, name, traits, member] for lists, [2, ns, name,
// traits, key, value] for maps, [0, ns, name, traits, scalar] for aliases, [9, ns, name, traits, input,
// output] for operations; a member is [schema, traits] or a bare schema. Scalars: 0 string, 1 number,
// 2 boolean, 4–7 timestamp, 21 blob; 64|s is a list of s, 128|s a map of s.

type Schema = unknown;

function resolve(schema: Schema): Schema {
  let current = schema;
  for (;;) {
    if (typeof current === 'function') current = (current as () => Schema)();
    else if (Array.isArray(current) && current.length === 2) current = current[0];
    else if (Array.isArray(current) && current[0] === 0 && current.length === 5) current = current[4];
    else return current;
  }
}

export interface ModelCheckOptions {
  /** On the wire (JSON protocols) a timestamp is epoch seconds; in SDK objects it is a Date. */
  readonly wire?: boolean;
}

export function checkAgainstModel(
  value: unknown,
  schema: Schema,
  path = '$',
  options: ModelCheckOptions = {},
): string[] {
  const s = resolve(schema);
  if (typeof s === 'number') {
    if (s >= 128) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${path}: expected a map`];
      return Object.entries(value).flatMap(([key, item]) => checkAgainstModel(item, s & 63, `${path}.${key}`, options));
    }
    if (s >= 64) {
      if (!Array.isArray(value)) return [`${path}: expected a list`];
      return value.flatMap((item, i) => checkAgainstModel(item, s & 63, `${path}[${i}]`, options));
    }
  }
  if (s === 0 || s === 21) return typeof value === 'string' ? [] : [`${path}: expected a string`];
  if (s === 1) return typeof value === 'number' ? [] : [`${path}: expected a number`];
  if (s === 2) return typeof value === 'boolean' ? [] : [`${path}: expected a boolean`];
  if (typeof s === 'number' && s >= 4 && s <= 7) {
    const ok = options.wire ? typeof value === 'number' || typeof value === 'string' : value instanceof Date;
    return ok ? [] : [`${path}: expected a timestamp`];
  }
  if (!Array.isArray(s)) return [`${path}: unknown schema ${String(s)}`];
  if (s[0] === 9) return checkAgainstModel(value, s[4], path, options);
  if (s[0] === 1) {
    if (!Array.isArray(value)) return [`${path}: expected a list`];
    return value.flatMap((item, i) => checkAgainstModel(item, s[4], `${path}[${i}]`, options));
  }
  if (s[0] === 2) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${path}: expected a map`];
    return Object.entries(value).flatMap(([key, item]) => checkAgainstModel(item, s[5], `${path}.${key}`, options));
  }
  if (s[0] === 3) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${path}: expected a structure`];
    const names = s[4] as string[];
    const members = s[5] as Schema[];
    const required = typeof s[6] === 'number' ? names.slice(0, s[6]) : [];
    const record = value as Record<string, unknown>;
    const missing = required
      .filter((name) => record[name] === undefined || record[name] === null)
      .map((name) => `${path}.${name}: required member of ${String(s[2])} is missing`);
    // Like the SDK, an undefined member is an absent one.
    return [
      ...missing,
      ...Object.entries(record).flatMap(([key, member]) => {
        if (member === undefined) return [];
        const index = names.indexOf(key);
        if (index < 0) return [`${path}.${key}: unknown member of ${String(s[2])}`];
        return checkAgainstModel(member, members[index], `${path}.${key}`, options);
      }),
    ];
  }
  return [`${path}: unsupported schema kind ${String(s[0])}`];
}
