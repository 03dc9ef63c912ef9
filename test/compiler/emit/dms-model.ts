// Checks a request against the DMS API model the SDK ships (its runtime schemas, the same shapes as
// botocore's service-2.json): unknown members and wrong scalar types are reported, as the CLI's
// parameter validation would. Schema tuples: [3, ns, name, traits, memberNames, memberSchemas] for
// structures, [1, ns, name, traits, member] for lists, [0, ns, name, traits, scalar] for aliases;
// scalars: 0 string, 1 number, 2 boolean.

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

export function checkAgainstModel(value: unknown, schema: Schema, path = '$'): string[] {
  const s = resolve(schema);
  if (s === 0) return typeof value === 'string' ? [] : [`${path}: expected a string`];
  if (s === 1) return typeof value === 'number' ? [] : [`${path}: expected a number`];
  if (s === 2) return typeof value === 'boolean' ? [] : [`${path}: expected a boolean`];
  if (!Array.isArray(s)) return [`${path}: unknown schema ${String(s)}`];
  if (s[0] === 1) {
    if (!Array.isArray(value)) return [`${path}: expected a list`];
    return value.flatMap((item, i) => checkAgainstModel(item, s[4], `${path}[${i}]`));
  }
  if (s[0] === 3) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${path}: expected a structure`];
    const names = s[4] as string[];
    const members = s[5] as Schema[];
    // Like the SDK, an undefined member is an absent one.
    return Object.entries(value).flatMap(([key, member]) => {
      if (member === undefined) return [];
      const index = names.indexOf(key);
      if (index < 0) return [`${path}.${key}: unknown member of ${String(s[2])}`];
      return checkAgainstModel(member, members[index], `${path}.${key}`);
    });
  }
  return [`${path}: unsupported schema kind ${String(s[0])}`];
}
